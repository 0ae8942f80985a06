/**
 * Messages between the extension host and a kernel process (one per notebook).
 *
 * Transport: the Node IPC channel of `child_process.fork` (a private pipe, never a TCP port).
 * Every message is a plain JSON object with a `type`. Messages about a cell run carry the
 * `execId` the host chose; the kernel answers each `execute` with zero or more output
 * messages and then exactly one `done` (the explicit end-of-cell marker: the host never
 * guesses the end of a cell by waiting).
 *
 * No vscode, DOM or tfjs imports here: both sides import this file.
 */

/** A MIME bundle as in Jupyter: mime type -> data (string for text/base64, object for JSON). */
export type MimeBundle = Record<string, unknown>;

export type TypeCheckMode = 'off' | 'warn' | 'error';
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

// ---------------------------------------------------------------- host -> kernel

export interface InitRequest {
  type: 'init';
  /** Folder of the notebook: imports resolve from here first. */
  notebookDir: string;
  typeCheck: TypeCheckMode;
  backend: BackendChoice;
  /** Extra folders to search for packages (e.g. the GPU runtime installed into extension storage). */
  extraModuleDirs?: string[];
}

export interface ExecuteRequest {
  type: 'execute';
  execId: string;
  /** 1-based number shown to the user in stack traces: `Cell N, line L:C`. */
  cellNumber: number;
  language: 'typescript' | 'javascript';
  code: string;
}

/** Cancels the running cell's AbortSignal. A busy synchronous loop also gets SIGINT from the host. */
export interface InterruptRequest {
  type: 'interrupt';
  /**
   * The cell to stop. When set, the kernel ignores the request unless that cell is the one
   * running (an interrupt that arrives late must not stop the next cell). Unset: whatever runs.
   */
  execId?: string;
}

export interface CompleteRequest {
  type: 'complete';
  reqId: string;
  code: string;
  /** Offset into `code`. */
  offset: number;
}

export interface HoverRequest {
  type: 'hover';
  reqId: string;
  code: string;
  offset: number;
}

/** A message from a renderer (e.g. the latent traversal asking for frames) forwarded by the host. */
export interface RendererMessageRequest {
  type: 'rendererMessage';
  /** Channel the lab registered (e.g. `traversal:<id>`). */
  channel: string;
  reqId: string;
  payload: unknown;
}

export interface ShutdownRequest {
  type: 'shutdown';
}

export type HostToKernel = InitRequest | ExecuteRequest | InterruptRequest | CompleteRequest | HoverRequest | RendererMessageRequest | ShutdownRequest;

// ---------------------------------------------------------------- kernel -> host

export interface RuntimeInfo {
  /** tfjs backend name: 'tensorflow' | 'wasm' | 'cpu' | ... */
  backend: string;
  /** Human readable device, e.g. 'GPU (NVIDIA H100)', 'CPU, 2 threads'. */
  device: string;
  threads?: number;
  /** The WebGPU adapter the 'webgpu' backend runs on (src/lab/runtime/webgpu.ts). */
  adapter?: { vendor: string; architecture: string; device: string; description: string; api: 'Vulkan' | 'Metal' | 'D3D12' | 'GL'; software: boolean };
  /** A faster path this backend runs without, shown in the status bar (e.g. no native GEMM prebuilt for this platform). */
  note?: string;
  /** Why faster backends were skipped, for the log. */
  skipped?: { backend: string; reason: string }[];
}

export interface ReadyMessage {
  type: 'ready';
  nodeVersion: string;
  runtime?: RuntimeInfo;
}

export interface StreamMessage {
  type: 'stream';
  execId: string;
  name: 'stdout' | 'stderr';
  text: string;
}

export interface DisplayMessage {
  type: 'display';
  execId: string;
  /** When set, a later message with the same id and `update: true` replaces this output in place. */
  displayId?: string;
  update?: boolean;
  data: MimeBundle;
  metadata?: Record<string, unknown>;
}

/** Value of the cell's last expression. */
export interface ResultMessage {
  type: 'result';
  execId: string;
  data: MimeBundle;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  /** 0-based positions in the cell's source. */
  start: { line: number; character: number };
  end: { line: number; character: number };
  code?: number;
}

export interface DiagnosticsMessage {
  type: 'diagnostics';
  execId: string;
  diagnostics: Diagnostic[];
}

export interface ErrorMessage {
  type: 'error';
  execId: string;
  ename: string;
  evalue: string;
  /** Frames already mapped to `Cell N, line L:C`. */
  stack: string;
}

export interface DoneMessage {
  type: 'done';
  execId: string;
  status: 'ok' | 'error' | 'interrupted';
  durationMs: number;
}

export interface CompleteReply {
  type: 'completeReply';
  reqId: string;
  items: { label: string; kind: string; detail?: string }[];
  /** Range in `code` the completion replaces. */
  start: number;
  end: number;
}

export interface HoverReply {
  type: 'hoverReply';
  reqId: string;
  text?: string;
}

export interface RendererMessageReply {
  type: 'rendererReply';
  reqId: string;
  payload?: unknown;
  error?: string;
}

/** The runtime changed or was reported (status bar). */
export interface RuntimeMessage {
  type: 'runtime';
  runtime: RuntimeInfo;
}

/** Output that does not belong to a cell (native library logs between cells, kernel warnings). */
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  text: string;
}

export type KernelToHost =
  | ReadyMessage
  | StreamMessage
  | DisplayMessage
  | ResultMessage
  | DiagnosticsMessage
  | ErrorMessage
  | DoneMessage
  | CompleteReply
  | HoverReply
  | RendererMessageReply
  | RuntimeMessage
  | LogMessage;

export function isKernelToHost(m: unknown): m is KernelToHost {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
