/**
 * Online log template mining in the Drain family (He et al., ICWS 2017), deterministic and serialisable.
 *
 * A line is (1) masked: generic regular expressions replace variable parts (IPs, UUIDs, hex, numbers, paths,
 * URLs, key=value values, dates, sizes and durations...) by the wildcard `<*>`; (2) split into tokens on whitespace;
 * a token with a masked part or a digit becomes `<*>` as a whole (a `key=`/`key:` prefix is kept), and runs of
 * `<*>` (with empty or wildcard-only bracket groups) collapse into one; (3) routed down a fixed-depth prefix tree: first by its token
 * count, then by its first `depth - 2` tokens (a variable token, or a token past the `maxChildren` limit, goes
 * to the `<*>` child); (4) compared with the templates in the leaf: the most similar one (share of equal
 * positions; wildcards, in the template or the line, count as equal) is taken when its similarity reaches `similarity`, and positions that
 * differ become `<*>`; otherwise a new template is created.
 *
 * Template ids: `T<n>`, incrementing per miner in order of creation (`T1`, `T2`, ...). A template keeps its id
 * when it is generalised, and `toJSON()` / `TemplateMiner.fromJSON()` keep the counter, the tree and the
 * templates, so ids stay stable across runs: a restored miner assigns the same ids as the original would.
 */

export const WILDCARD = '<*>';

/** A masking rule: every match of `pattern` (a regular expression source, applied with `flags` + `g`) is replaced by `replacement`. */
export interface MaskRule {
  name: string;
  pattern: string;
  flags?: string;
  /** Replacement string (may use `$1`-style groups); default `<*>`. */
  replacement?: string;
  /**
   * A shortcut, not a rule: the pattern can only match a line that contains this text (`digit`: any
   * digit), so lines without it skip the regular expression. Must not change what the mask does.
   */
  needs?: string;
}

export interface TemplateMinerOptions {
  /** Depth of the prefix tree, counting the root and the length level: lines are routed by `depth - 2` leading tokens. Default 4. */
  depth: number;
  /** Minimum similarity (0..1) for a line to join an existing template. Default 0.87 (variables are masked first, so joining needs nearly all constant tokens equal). */
  similarity: number;
  /** Maximum children of an inner tree node; beyond it, tokens are routed to the `<*>` child. Default 100. */
  maxChildren: number;
  /** Masking rules, applied in order before tokenising. Default `DEFAULT_MASKS`. */
  masks: MaskRule[];
  /** Treat every token that contains a digit as a variable. Default true. */
  digitTokensAreVariables: boolean;
  /**
   * How a wildcard of the template counts in the similarity: `match` as an equal position, `ignore` as a position
   * that is left out of the denominator, `mismatch` as a differing position (the original Drain). Default `match`;
   * with `match`, a variable in the line also equals whatever constant the template still has at its position.
   */
  wildcards: 'match' | 'ignore' | 'mismatch';
  /** Collapse runs of wildcard tokens (and a wildcard in parentheses) into one `<*>`, so variables spanning several tokens match. Default true. */
  collapseWildcards: boolean;
  /** Extra characters split off as token boundaries besides whitespace (each replaced by a space). Default none. */
  extraDelimiters: string[];
}

export interface MatchResult {
  templateId: string;
  template: string;
}

export interface AddResult extends MatchResult {
  isNew: boolean;
}

export interface TemplateInfo {
  id: string;
  template: string;
  count: number;
}

/** Generic masks (no system-specific rule). Order matters: the more specific ones first. */
export const DEFAULT_MASKS: MaskRule[] = [
  { name: 'url', needs: '://', pattern: '\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s,;"\')\\]]+' },
  { name: 'datetime', needs: 'digit', pattern: '\\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\\s+\\d{1,2},?\\s+(?:\\d{4}\\s+)?\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:\\s+\\d{4})?\\b' },
  { name: 'iso-datetime', needs: 'digit', pattern: '\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\b' },
  { name: 'uuid', needs: '-', pattern: '\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b' },
  { name: 'ipv4', needs: 'digit', pattern: '(?<![\\w.])\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d{1,5})?(?![\\w.])' },
  { name: 'mac', needs: ':', pattern: '\\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\\b' },
  { name: 'hex', needs: 'digit', pattern: '\\b0[xX][0-9a-fA-F]+\\b' },
  // Both a digit and a hex letter: a plain long number is left to `quantity` (so `11721005 bytes` is one quantity) and `number`.
  { name: 'long-hex', needs: 'digit', pattern: '\\b(?=[0-9a-fA-F]*\\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\\b' },
  { name: 'path', needs: '/', pattern: '(?<=^|[\\s=:(\\[,"\'])(?:/[\\w.@%+~-]+){2,}/?' },
  { name: 'key-value', needs: '=', pattern: '(?<=^|[\\s,;(\\[{])([A-Za-z_][\\w.-]*=)(?!<\\*>)[^\\s,;)\\]}]+', replacement: '$1<*>' },
  { name: 'quantity', needs: 'digit', pattern: '(?<![\\w.])[<>~]?\\d+(?:\\.\\d+)?\\s?(?:[kKMGT]i?B|bytes?|B|ms|us|ns|secs?|seconds?|s|mins?|minutes?|hours?|h|days?|%)(?![\\w.])' },
  { name: 'number', needs: 'digit', pattern: '(?<![\\w.])[-+]?\\d+(?:\\.\\d+)?(?![\\w.])' },
];

export const DEFAULT_OPTIONS: TemplateMinerOptions = {
  depth: 4,
  similarity: 0.87,
  maxChildren: 100,
  masks: DEFAULT_MASKS,
  digitTokensAreVariables: true,
  wildcards: 'match',
  collapseWildcards: true,
  extraDelimiters: [],
};

interface TreeNode {
  children: Record<string, TreeNode>;
  /** Ids of the templates in this leaf, in order of creation. */
  templates: string[];
}

interface Cluster {
  id: string;
  tokens: string[];
  count: number;
}

export interface TemplateMinerState {
  version: 1;
  options: TemplateMinerOptions;
  nextId: number;
  clusters: Cluster[];
  root: TreeNode;
}

/** The key of a `key=value` or `key:value` token (a `host:port` is not a key: its key would hold a dot). */
const KEY_PREFIX = /^(?:[A-Za-z_][\w.-]*=|[A-Za-z_]\w*:(?!\/\/))/;
/** A bracketed group that holds only a variable, or nothing: `(<*>)`, `[<*>]`, `()`. */
const EMPTY_GROUP = /^(?:\((?:<\*>)?\)|\[(?:<\*>)?\]|\{(?:<\*>)?\})[,;:.]?$/;

const DIGIT = /\d/;

const newNode = (): TreeNode => ({ children: {}, templates: [] });

export class TemplateMiner {
  readonly options: TemplateMinerOptions;
  private readonly masks: { re: RegExp; replacement: string; needs?: string }[];
  private readonly delimiters: RegExp | undefined;
  private root: TreeNode = newNode();
  private readonly clusters = new Map<string, Cluster>();
  private nextId = 1;

  constructor(opts: Partial<TemplateMinerOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...opts };
    if (this.options.depth < 3) throw new Error('depth must be at least 3');
    if (!(this.options.similarity >= 0 && this.options.similarity <= 1)) throw new Error('similarity must be in [0, 1]');
    if (this.options.maxChildren < 1) throw new Error('maxChildren must be at least 1');
    this.masks = this.options.masks.map((m) => ({ re: new RegExp(m.pattern, withGlobal(m.flags)), replacement: m.replacement ?? WILDCARD, needs: m.needs }));
    const delims = this.options.extraDelimiters.filter((d) => d.length > 0);
    this.delimiters = delims.length ? new RegExp(delims.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  /** Masks and tokenises a line as the miner does (exposed for inspection and tests). */
  tokenize(line: string): string[] {
    let text = line;
    // Digits can only disappear through masks (`<*>` has none), so one test up front stays valid until a mask runs.
    let hasDigit = DIGIT.test(text);
    for (const { re, replacement, needs } of this.masks) {
      if (needs !== undefined && !(needs === 'digit' ? hasDigit : text.includes(needs))) continue;
      const masked = text.replace(re, replacement);
      if (masked !== text) {
        text = masked;
        if (hasDigit) hasDigit = DIGIT.test(text);
      }
    }
    if (this.delimiters) text = text.replace(this.delimiters, ' ');
    const tokens = text.trim().split(/\s+/).filter((t) => t.length > 0);
    for (let i = 0; i < tokens.length; i++) {
      // A token with a masked part is a variable as a whole (`host:<*>` -> `<*>`), and so is one with a digit;
      // in a `key=value` token only the value is (`port=<*>`).
      const token = tokens[i];
      const prefix = KEY_PREFIX.exec(token)?.[0] ?? '';
      const key = prefix.length < token.length ? prefix : '';
      const value = token.slice(key.length);
      if (value.includes(WILDCARD) || (this.options.digitTokensAreVariables && /\d/.test(value))) tokens[i] = key + WILDCARD;
    }
    if (!this.options.collapseWildcards) return tokens;
    const out: string[] = [];
    for (const token of tokens) {
      const t = EMPTY_GROUP.test(token) ? WILDCARD : token;
      if (t === WILDCARD && out[out.length - 1] === WILDCARD) continue;
      out.push(t);
    }
    return out;
  }

  /** Adds a line: joins the most similar template (generalising it) or creates a new one. */
  add(line: string): AddResult {
    const tokens = this.tokenize(line);
    const leaf = this.leafFor(tokens, true);
    const best = this.bestMatch(leaf.templates, tokens, this.options.similarity);
    if (best) {
      best.count++;
      for (let i = 0; i < tokens.length; i++) if (best.tokens[i] !== tokens[i]) best.tokens[i] = WILDCARD;
      return { templateId: best.id, template: render(best.tokens), isNew: false };
    }
    const cluster: Cluster = { id: `T${this.nextId++}`, tokens, count: 1 };
    this.clusters.set(cluster.id, cluster);
    leaf.templates.push(cluster.id);
    return { templateId: cluster.id, template: render(tokens), isNew: true };
  }

  /** Finds the template of a line without changing the miner; `undefined` when no template is similar enough. */
  match(line: string): MatchResult | undefined {
    const tokens = this.tokenize(line);
    const leaf = this.leafFor(tokens, false);
    if (!leaf) return undefined;
    const best = this.bestMatch(leaf.templates, tokens, this.options.similarity);
    return best ? { templateId: best.id, template: render(best.tokens) } : undefined;
  }

  /** The templates, in order of creation. */
  templates(): TemplateInfo[] {
    return [...this.clusters.values()].map((c) => ({ id: c.id, template: render(c.tokens), count: c.count }));
  }

  template(id: string): TemplateInfo | undefined {
    const c = this.clusters.get(id);
    return c ? { id: c.id, template: render(c.tokens), count: c.count } : undefined;
  }

  /** A JSON-safe snapshot of the whole state (options, id counter, templates and tree). */
  toJSON(): TemplateMinerState {
    return structuredClone({
      version: 1 as const,
      options: this.options,
      nextId: this.nextId,
      clusters: [...this.clusters.values()],
      root: this.root,
    });
  }

  static fromJSON(state: TemplateMinerState | string): TemplateMiner {
    const s: TemplateMinerState = typeof state === 'string' ? JSON.parse(state) : structuredClone(state);
    if (s.version !== 1) throw new Error(`unsupported template miner state version ${String(s.version)}`);
    const miner = new TemplateMiner(s.options);
    miner.nextId = s.nextId;
    for (const c of s.clusters) miner.clusters.set(c.id, { id: c.id, tokens: [...c.tokens], count: c.count });
    miner.root = s.root;
    return miner;
  }

  private leafFor(tokens: string[], create: true): TreeNode;
  private leafFor(tokens: string[], create: false): TreeNode | undefined;
  private leafFor(tokens: string[], create: boolean): TreeNode | undefined {
    let node = this.root;
    const lengthKey = String(tokens.length);
    let next: TreeNode | undefined = node.children[lengthKey];
    if (!next) {
      if (!create) return undefined;
      next = node.children[lengthKey] = newNode();
    }
    node = next;
    const prefix = Math.min(this.options.depth - 2, tokens.length);
    for (let i = 0; i < prefix; i++) {
      const token = tokens[i];
      const key = token === WILDCARD ? WILDCARD : token;
      let child: TreeNode | undefined = node.children[key];
      if (!child) {
        if (!create) {
          child = node.children[WILDCARD];
          if (!child) return undefined;
        } else if (key === WILDCARD || Object.keys(node.children).filter((k) => k !== WILDCARD).length < this.options.maxChildren - 1) {
          // One slot is kept for the `<*>` child, so a node never has more than `maxChildren` children.
          child = node.children[key] = newNode();
        } else {
          child = node.children[WILDCARD] ?? (node.children[WILDCARD] = newNode());
        }
      }
      node = child;
    }
    return node;
  }

  private bestMatch(ids: string[], tokens: string[], threshold: number): Cluster | undefined {
    let best: Cluster | undefined;
    let bestSim = -1;
    let bestParams = -1;
    for (const id of ids) {
      const c = this.clusters.get(id);
      if (!c || c.tokens.length !== tokens.length) continue;
      let equal = 0;
      let params = 0;
      const mode = this.options.wildcards;
      for (let i = 0; i < tokens.length; i++) {
        if (c.tokens[i] === WILDCARD) params++;
        else if (c.tokens[i] === tokens[i] || (mode === 'match' && tokens[i] === WILDCARD)) equal++;
      }
      const num = mode === 'match' ? equal + params : equal;
      const den = mode === 'ignore' ? tokens.length - params : tokens.length;
      const sim = den === 0 ? 1 : num / den;
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        best = c;
        bestSim = sim;
        bestParams = params;
      }
    }
    return best && bestSim >= threshold ? best : undefined;
  }
}

function render(tokens: string[]): string {
  return tokens.join(' ');
}

function withGlobal(flags = ''): string {
  return flags.includes('g') ? flags : `${flags}g`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
