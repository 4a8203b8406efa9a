import { AppError, ErrorCode } from '@opsplane/errors';
import { describeFailure } from '../cli-errors';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' });

describe(describeFailure.name, () => {
  it('says which database could not be reached, without its password, and how to fix it', () => {
    const msg = describeFailure(refused(), 'postgres://admin:s3cret@db.internal:5999/opsplane');
    expect(msg).toContain('cannot reach PostgreSQL at db.internal:5999/opsplane (DATABASE_URL)');
    expect(msg).toContain('ECONNREFUSED');
    expect(msg).toMatch(/Start PostgreSQL|DATABASE_URL/);
    expect(msg).not.toContain('s3cret');
  });

  it('reads the errors inside an AggregateError (a host with several addresses)', () => {
    const msg = describeFailure(new AggregateError([refused(), refused()]), undefined);
    expect(msg).toContain('cannot reach the embedded PostgreSQL of `npm start`');
  });

  it('names a refused login or a missing database', () => {
    const e = Object.assign(new Error('role "nobody" does not exist'), { code: '28000' });
    expect(describeFailure(e, 'postgres://nobody@127.0.0.1/x')).toMatch(/refused the connection: role "nobody" does not exist\. Check the user/);
  });

  it('never prints "undefined" for a failure that carries no message', () => {
    for (const e of [undefined, null, new Error(''), {}]) expect(describeFailure(e, undefined)).not.toMatch(/^undefined$|: undefined/);
  });

  it('keeps the code and message of a platform error', () => {
    expect(describeFailure(new AppError(ErrorCode.CONFLICT, 'A tenant with the slug acme already exists'))).toBe('CONFLICT: A tenant with the slug acme already exists');
  });
});
