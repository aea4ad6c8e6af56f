// The notebook "Backprop: New Notebook" opens: an untitled .ipynb for the backprop-ts kernel with a first cell
// that runs as it is (micrograd's one neuron) and shows the graph of its backward().
import * as vscode from 'vscode';
import { kernelspec } from './controller';

const intro = `# A Backprop notebook

Cells are TypeScript. Every engine name (\`tensor\`, \`scalar\`, \`nn\`, \`optim\`, ...) is a global. After each
\`backward()\` the cell shows the computation graph with the gradient that flowed along every edge.`;

const oneNeuron = `// One neuron: y = tanh(w·x + b)
const x = tensor([2, 0], { name: 'x' });
const w = tensor([-3, 1], { requiresGrad: true, name: 'w' });
const b = scalar(6.8814, { requiresGrad: true, name: 'b' });
const y = x.mul(w).sum().add(b).tanh();
y.backward();
console.log('y =', y.item());
console.log('dy/dw =', w.grad!.toArray(), ' dy/db =', b.grad!.item());`;

export function starterNotebook(): vscode.NotebookData {
  const data = new vscode.NotebookData([
    new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, intro, 'markdown'),
    new vscode.NotebookCellData(vscode.NotebookCellKind.Code, oneNeuron, 'typescript'),
  ]);
  // the shape VS Code's ipynb serializer keeps: the file's top-level fields, its `metadata` among them
  data.metadata = {
    cells: [],
    metadata: { kernelspec, language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return data;
}
