import { nameFromPath } from '../src/model-name';

test.each<[string, string | undefined]>([
  ['/srv/models/iris.onnx', 'iris'],
  ['models/iris.onnx', 'iris'],
  ['iris.onnx', 'iris'],
  ['C:\\models\\iris.onnx', 'iris'],
  ['/srv/models/digits.v2.onnx', 'digits.v2'],
  ['/srv/models/model', 'model'],
  ['/srv/models/.hidden', '.hidden'],
  ['http://127.0.0.1:8080/models/iris/model.json', 'iris'],
  ['https://host/models/iris/model.json?v=3#x', 'iris'],
  ['file:///srv/models/iris/model.json', 'iris'],
  ['https://host/models/mobilenet.json', 'mobilenet'],
  ['indexeddb://iris-v1', 'iris-v1'],
  ['localstorage://iris', 'iris'],
  ['/srv/models/iris/', 'iris'],
  ['/', undefined],
  ['file://', undefined],
  ['', undefined],
])('%s → %s', (path, name) => {
  expect(nameFromPath(path)).toBe(name);
});
