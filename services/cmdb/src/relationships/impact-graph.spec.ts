import { GraphChange, ImpactGraph } from './impact-graph';

const edge = (op: '+' | '-', source: string, target: string, type = 'depends_on', criticality = 'medium'): GraphChange => ({
  op,
  source_id: source,
  target_id: target,
  type,
  criticality,
});

const names = (g: ImpactGraph, roots: string[], direction: 'upstream' | 'downstream', depth: number) => {
  const { hits, depthReached, total } = g.walk(roots, direction, depth);
  expect(total).toBe(hits.length);
  return { items: hits.map((h) => `${h.id}@${h.distance}`).sort(), depthReached };
};

describe('ImpactGraph', () => {
  it('walks upstream and downstream, each item once at its shortest distance, through cycles and up to the depth', () => {
    const g = new ImpactGraph(1);
    // a -> b -> c -> a (a cycle), d -> c, e -> d
    for (const [s, t] of [['a', 'b'], ['b', 'c'], ['c', 'a'], ['d', 'c'], ['e', 'd']]) g.apply(edge('+', s, t));
    expect(names(g, ['c'], 'upstream', 10)).toEqual({ items: ['a@2', 'b@1', 'd@1', 'e@2'], depthReached: false });
    expect(names(g, ['c'], 'upstream', 1)).toEqual({ items: ['b@1', 'd@1'], depthReached: true });
    expect(names(g, ['e'], 'downstream', 10)).toEqual({ items: ['a@3', 'b@4', 'c@2', 'd@1'], depthReached: false });
    expect(names(g, ['c', 'd'], 'upstream', 10).items).toEqual(['a@2', 'b@1', 'e@1']);
    expect(names(g, ['unknown'], 'upstream', 3).items).toEqual([]);
    // A change after walks is seen by the next walk.
    g.apply(edge('+', 'f', 'e'));
    g.apply(edge('-', 'd', 'c'));
    expect(names(g, ['c'], 'upstream', 10).items).toEqual(['a@2', 'b@1']);
    expect(names(g, ['d'], 'upstream', 10).items).toEqual(['e@1', 'f@2']);
  });

  it('keeps the path and the worst relationship criticality on the way', () => {
    const g = new ImpactGraph(1);
    g.apply(edge('+', 'web', 'api', 'depends_on', 'high'));
    g.apply(edge('+', 'api', 'db', 'connects_to', 'low'));
    const { hits } = g.walk(['db'], 'upstream', 6);
    expect(hits).toEqual([
      { id: 'api', distance: 1, path: ['db', 'api'], via: ['connects_to'], worst: 'low' },
      { id: 'web', distance: 2, path: ['db', 'api', 'web'], via: ['connects_to', 'depends_on'], worst: 'high' },
    ]);
  });

  it('answers the nearest items first, the worst relationships first among equals, up to the limit, and counts them all', () => {
    const g = new ImpactGraph(1);
    g.apply(edge('+', 'b', 'root', 'depends_on', 'low'));
    g.apply(edge('+', 'a', 'root', 'depends_on', 'low'));
    g.apply(edge('+', 'c', 'root', 'depends_on', 'critical'));
    g.apply(edge('+', 'd', 'a'));
    const all = g.walk(['root'], 'upstream', 6);
    expect(all.hits.map((h) => h.id)).toEqual(['c', 'a', 'b', 'd']);
    const two = g.walk(['root'], 'upstream', 6, 2);
    expect([two.hits.map((h) => h.id), two.total]).toEqual([['c', 'a'], 4]);
  });

  it('orders items of a level by id, UUIDs and other ids alike', () => {
    const ids = ['0000000a-0000-4000-8000-000000000002', '0000000a-0000-4000-8000-000000000001', 'ffffffff-0000-4000-8000-000000000000', '00000009-ffff-4000-8000-000000000000'];
    const root = '10000000-0000-4000-8000-000000000000';
    const g = new ImpactGraph(1);
    for (const id of ids) g.apply(edge('+', id, root));
    expect(g.walk([root], 'upstream', 1).hits.map((h) => h.id)).toEqual([...ids].sort());
    g.apply(edge('+', 'zz', root));
    g.apply(edge('+', 'ab', root));
    expect(g.walk([root], 'upstream', 1).hits.map((h) => h.id)).toEqual([...ids, 'zz', 'ab'].sort());
  });

  it('applies a change log idempotently: replaying changes already in the graph leaves it as it is', () => {
    const g = new ImpactGraph(1);
    const log = [edge('+', 'a', 'b'), edge('+', 'b', 'c'), edge('+', 'a', 'b', 'depends_on', 'critical'), edge('-', 'b', 'c'), edge('+', 'a', 'b', 'runs_on')];
    for (const c of log) g.apply(c);
    const once = { edges: g.edges, up: g.walk(['b'], 'upstream', 5).hits };
    for (const c of log.slice(1)) g.apply(c);
    expect(g.edges).toBe(once.edges);
    expect(g.edges).toBe(2); // a -depends_on-> b (critical now), a -runs_on-> b
    expect(g.walk(['b'], 'upstream', 5).hits).toEqual(once.up);
    expect(names(g, ['c'], 'upstream', 5).items).toEqual([]);
    g.apply(edge('-', 'x', 'y'));
    expect(g.edges).toBe(2);
  });
});
