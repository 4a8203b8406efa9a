import { ciNaturalKey } from '@opsplane/contracts';
import { missingOf, planOf } from './topology.domain';

const svc = (name: string, environment: string | null = null) => ({ name, environment });
const key = (name: string, environment: string | null = null) => ciNaturalKey('service', name, environment);

describe('planOf', () => {
  it('takes each service once by identity (name in any case, environment) and drops calls of a service to itself', () => {
    const plan = planOf([
      { services: [svc('frontend', 'prod'), svc(' Frontend ', 'prod')], calls: [{ caller: svc('frontend', 'prod'), callee: svc('checkout', 'prod') }] },
      {
        services: [svc('frontend', 'staging')],
        calls: [
          { caller: svc('FRONTEND', 'prod'), callee: svc('Checkout', 'prod') },
          { caller: svc('checkout', 'prod'), callee: svc('checkout', ' prod ') },
        ],
      },
    ]);
    expect(plan).toEqual({
      services: [
        { key: key('frontend', 'prod'), name: 'frontend', environment: 'prod' },
        { key: key('checkout', 'prod'), name: 'checkout', environment: 'prod' },
        { key: key('frontend', 'staging'), name: 'frontend', environment: 'staging' },
      ],
      calls: [{ caller: key('frontend', 'prod'), callee: key('checkout', 'prod') }],
    });
  });
});

describe('missingOf', () => {
  const plan = planOf([{ services: [svc('frontend'), svc('checkout'), svc('payments')], calls: [{ caller: svc('frontend'), callee: svc('checkout') }, { caller: svc('checkout'), callee: svc('payments') }] }]);

  it('creates the services no live item is (discovered_by telemetry) and the relationships, ends by id or ref', () => {
    const dto = missingOf(plan, new Map([[key('frontend'), 'id-frontend']]), () => false);
    expect(dto).toEqual({
      items: [
        { ref: 'service-0', class: 'service', name: 'checkout', environment: null, attributes: { discovered_by: 'telemetry' } },
        { ref: 'service-1', class: 'service', name: 'payments', environment: null, attributes: { discovered_by: 'telemetry' } },
      ],
      relationships: [
        { source: { id: 'id-frontend' }, target: { ref: 'service-0' }, type: 'depends_on' },
        { source: { ref: 'service-0' }, target: { ref: 'service-1' }, type: 'depends_on' },
      ],
    });
  });

  it('leaves existing items and relationships alone: nothing to import when all exist', () => {
    const existing = new Map([
      [key('frontend'), 'f'],
      [key('checkout'), 'c'],
      [key('payments'), 'p'],
    ]);
    expect(missingOf(plan, existing, () => true)).toBeNull();
    expect(missingOf(plan, existing, (s, t) => s === 'f' && t === 'c')).toEqual({ items: [], relationships: [{ source: { id: 'c' }, target: { id: 'p' }, type: 'depends_on' }] });
  });
});
