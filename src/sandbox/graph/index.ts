export { createGraphSandbox, GRAPH_SANDBOX_DEFAULT_PORT, type GraphSandbox, type GraphSandboxOptions } from './graphSandbox';
