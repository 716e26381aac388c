export { createLoginSandbox } from './loginSandbox';
