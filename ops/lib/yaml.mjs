// A YAML writer for rule files: mappings, sequences and strings only. PromQL goes into literal
// blocks (`|-`), so it needs no escaping; other strings are JSON-quoted, which YAML reads as is.

const quote = (s) => JSON.stringify(String(s));

function scalar(key, value, pad) {
  if (typeof value === 'string' && value.includes('\n')) {
    return [`${pad}${key}: |-`, ...value.split('\n').map((l) => `${pad}  ${l}`)];
  }
  if (key === 'expr') return [`${pad}${key}: |-`, `${pad}  ${value}`];
  return [`${pad}${key}: ${typeof value === 'number' ? value : quote(value)}`];
}

function mapping(obj, pad, firstPad = pad) {
  const lines = [];
  for (const [key, value] of Object.entries(obj)) {
    const p = lines.length === 0 ? firstPad : pad;
    if (Array.isArray(value)) {
      lines.push(`${p}${key}:`);
      for (const item of value) lines.push(...mapping(item, `${pad}    `, `${pad}  - `));
    } else if (value !== null && typeof value === 'object') {
      lines.push(`${p}${key}:`, ...mapping(value, `${pad}  `));
    } else {
      lines.push(...scalar(key, value, p).map((l, i) => (i === 0 ? l : l.replace(p, pad))));
    }
  }
  return lines;
}

/** The document for `value`, with a leading comment block. */
export function toYaml(value, comment = []) {
  return [...comment.map((c) => (c ? `# ${c}` : '#')), ...mapping(value, '')].join('\n') + '\n';
}
