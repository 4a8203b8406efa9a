import { DEFAULT_OPTIONS, TemplateMiner, WILDCARD } from '../template-miner';

describe('TemplateMiner', () => {
  it('merges lines that differ in a variable token into one template', () => {
    const miner = new TemplateMiner();
    const a = miner.add('Receiving block from node alpha of cluster main ok');
    const b = miner.add('Receiving block from node beta of cluster main ok');
    expect(a.isNew).toBe(true);
    expect(b.isNew).toBe(false);
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('Receiving block from node <*> of cluster main ok');
    expect(miner.templates()).toEqual([{ id: a.templateId, template: b.template, count: 2 }]);
  });

  it('splits lines with different constant tokens', () => {
    const miner = new TemplateMiner();
    const a = miner.add('session opened for user alice');
    const b = miner.add('session closed for user alice');
    const c = miner.add('connection refused by peer');
    expect(new Set([a.templateId, b.templateId, c.templateId]).size).toBe(3);
  });

  it('lets a variable in a line match a constant the template still has at that position', () => {
    const miner = new TemplateMiner();
    const a = miner.add('Invalid user webmaster from 10.0.0.1');
    const b = miner.add('Invalid user test9 from 10.0.0.2');
    expect(b.templateId).toBe(a.templateId);
    expect(b.template).toBe('Invalid user <*> from <*>');
  });

  it('reads a long plain number with its unit as one quantity, and hex only with a hex letter', () => {
    const miner = new TemplateMiner();
    expect(miner.tokenize('11721005 bytes (11.1 MB) received')).toEqual([WILDCARD, 'received']);
    expect(miner.tokenize('2933 bytes (2.86 KB) received')).toEqual([WILDCARD, 'received']);
    expect(miner.tokenize('commit 9fceb02d0ae598e95dc970b74767f19372d61af8 pushed')).toEqual(['commit', WILDCARD, 'pushed']);
  });

  it('splits lines of different lengths', () => {
    const miner = new TemplateMiner();
    const a = miner.add('disk check started on volume data');
    const b = miner.add('disk check started on volume data now');
    expect(b.templateId).not.toBe(a.templateId);
  });

  it('masks numbers, IPs, hex, UUIDs, paths, URLs and key=value values', () => {
    const miner = new TemplateMiner();
    expect(miner.tokenize('took 42 ms to read 1024 records')).toEqual(['took', WILDCARD, 'to', 'read', WILDCARD, 'records']);
    expect(miner.tokenize('connect from 10.0.0.12:5432 failed')).toEqual(['connect', 'from', WILDCARD, 'failed']);
    expect(miner.tokenize('fault at 0xdeadbeef')).toEqual(['fault', 'at', WILDCARD]);
    expect(miner.tokenize('job 123e4567-e89b-12d3-a456-426614174000 done')).toEqual(['job', WILDCARD, 'done']);
    expect(miner.tokenize('open /var/log/app.log failed')).toEqual(['open', WILDCARD, 'failed']);
    expect(miner.tokenize('GET https://example.com/api/v1 ok')).toEqual(['GET', WILDCARD, 'ok']);
    expect(miner.tokenize('login user=alice status=ok')).toEqual(['login', 'user=<*>', 'status=<*>']);
  });

  it('groups lines whose variables are masked, whatever their values', () => {
    const miner = new TemplateMiner();
    const ids = [
      'Accepted connection from 192.168.1.10 port 22 pid 0x1f',
      'Accepted connection from 10.1.2.3 port 2222 pid 0xab12',
      'Accepted connection from 172.16.0.1 port 8022 pid 0x0',
    ].map((l) => miner.add(l).templateId);
    expect(new Set(ids).size).toBe(1);
    expect(miner.templates()[0].template).toBe('Accepted connection from <*> port <*> pid <*>');
  });

  it('matches without changing the miner', () => {
    const miner = new TemplateMiner();
    const { templateId } = miner.add('worker 7 started in 120 ms');
    expect(miner.match('worker 9 started in 80 ms')).toEqual({ templateId, template: 'worker <*> started in <*>' });
    expect(miner.match('completely different line here')).toBeUndefined();
    expect(miner.templates()[0].count).toBe(1);
  });

  it('keeps template ids across save and restore, and continues matching', () => {
    const miner = new TemplateMiner();
    const a = miner.add('Receiving block from node alpha of cluster main ok');
    const b = miner.add('Deleting block 77 of file f');
    const restored = TemplateMiner.fromJSON(JSON.parse(JSON.stringify(miner.toJSON())));
    expect(restored.templates()).toEqual(miner.templates());
    expect(restored.add('Receiving block from node gamma of cluster main ok').templateId).toBe(a.templateId);
    expect(restored.add('Deleting block 78 of file f').templateId).toBe(b.templateId);
    const c = restored.add('Something new happened here');
    expect(c.isNew).toBe(true);
    // The id counter is restored too: the new template takes the id the original miner would give.
    expect(c.templateId).toBe(miner.add('Something new happened here').templateId);
    expect(TemplateMiner.fromJSON(JSON.stringify(restored.toJSON())).templates()).toEqual(restored.templates());
  });

  it('is deterministic', () => {
    const lines = [
      'user alice logged in from 10.0.0.1',
      'user bob logged in from 10.0.0.2',
      'cache miss for key k1',
      'cache miss for key k2',
      'user carol logged out',
      'request 12 took 30 ms',
    ];
    const run = () => {
      const m = new TemplateMiner();
      return { results: lines.map((l) => m.add(l)), state: JSON.stringify(m.toJSON()) };
    };
    expect(run()).toEqual(run());
  });

  it('respects the max-children limit of the prefix tree', () => {
    const miner = new TemplateMiner({ maxChildren: 3 });
    for (const w of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) miner.add(`${w} service restarted cleanly`);
    const root = miner.toJSON().root.children['4'];
    expect(Object.keys(root.children).length).toBeLessThanOrEqual(3);
    expect(root.children[WILDCARD]).toBeDefined();
  });

  it('rejects invalid options', () => {
    expect(() => new TemplateMiner({ depth: 2 })).toThrow();
    expect(() => new TemplateMiner({ similarity: 2 })).toThrow();
    expect(DEFAULT_OPTIONS.depth).toBeGreaterThanOrEqual(3);
  });
});
