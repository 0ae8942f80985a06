/**
 * Completions and hover in TypeScript cells, answered by the notebook's running kernel (tslab's
 * converter knows the declarations of every cell run so far). Without a running kernel these
 * providers return nothing and VS Code's own TypeScript service still answers.
 */
import * as vscode from 'vscode';
import type { KernelRegistry } from './kernels';

const selector: vscode.DocumentSelector = [
  { notebookType: 'jupyter-notebook', language: 'typescript' },
  { notebookType: 'jupyter-notebook', language: 'javascript' },
];

/** TypeScript's ScriptElementKind names -> VS Code kinds (anything else is a plain text item). */
const kinds: Record<string, vscode.CompletionItemKind> = {
  keyword: vscode.CompletionItemKind.Keyword,
  function: vscode.CompletionItemKind.Function,
  'local function': vscode.CompletionItemKind.Function,
  method: vscode.CompletionItemKind.Method,
  property: vscode.CompletionItemKind.Property,
  getter: vscode.CompletionItemKind.Property,
  setter: vscode.CompletionItemKind.Property,
  var: vscode.CompletionItemKind.Variable,
  'local var': vscode.CompletionItemKind.Variable,
  let: vscode.CompletionItemKind.Variable,
  const: vscode.CompletionItemKind.Constant,
  parameter: vscode.CompletionItemKind.Variable,
  class: vscode.CompletionItemKind.Class,
  interface: vscode.CompletionItemKind.Interface,
  type: vscode.CompletionItemKind.TypeParameter,
  enum: vscode.CompletionItemKind.Enum,
  'enum member': vscode.CompletionItemKind.EnumMember,
  module: vscode.CompletionItemKind.Module,
  alias: vscode.CompletionItemKind.Reference,
  string: vscode.CompletionItemKind.Constant,
};

export function registerLanguageFeatures(kernels: KernelRegistry): vscode.Disposable[] {
  const sessionFor = (document: vscode.TextDocument) => {
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
    const session = notebook && kernels.get(notebook);
    // Only an idle kernel: asking a stopped one would start it, a busy one answers after the cell.
    return session?.state === 'idle' ? session : undefined;
  };
  return [
    vscode.languages.registerCompletionItemProvider(
      selector,
      {
        async provideCompletionItems(document, position) {
          const session = sessionFor(document);
          if (!session) return undefined;
          const code = document.getText();
          const reply = await session.complete(code, document.offsetAt(position));
          const range = new vscode.Range(document.positionAt(reply.start), document.positionAt(reply.end));
          return reply.items.map((i) => {
            const item = new vscode.CompletionItem(i.label, kinds[i.kind] ?? vscode.CompletionItemKind.Text);
            item.detail = i.detail;
            item.range = range;
            return item;
          });
        },
      },
      '.',
    ),
    vscode.languages.registerHoverProvider(selector, {
      async provideHover(document, position) {
        const session = sessionFor(document);
        if (!session) return undefined;
        const reply = await session.hover(document.getText(), document.offsetAt(position));
        return reply.text ? new vscode.Hover(new vscode.MarkdownString().appendCodeblock(reply.text, 'typescript')) : undefined;
      },
    }),
  ];
}
