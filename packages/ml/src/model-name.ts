/** The default `model` label of a model loaded from a path or URL. */

/** TF.js saves every model as `model.json`: such a model is named after its folder. */
const GENERIC_FILE = 'model.json';

/**
 * The model's name from the path or URL it was loaded from: the last segment without query,
 * fragment or extension (`/srv/models/iris.onnx` → `iris`, `C:\models\iris.onnx` → `iris`),
 * or for a TF.js `model.json` the folder it is in (`http://host/models/iris/model.json` →
 * `iris`). Undefined when nothing is left (`/`, `file://`).
 */
export function nameFromPath(path: string): string | undefined {
  const end = path.search(/[?#]/);
  const segments = (end === -1 ? path : path.slice(0, end)).split(/[/\\]+/).filter((s) => s !== '' && !s.endsWith(':'));
  let base = segments.pop();
  if (base === GENERIC_FILE && segments.length > 0) base = segments.pop();
  if (base === undefined) return undefined;
  const dot = base.lastIndexOf('.');
  const name = dot > 0 ? base.slice(0, dot) : base;
  return name === '' ? undefined : name;
}
