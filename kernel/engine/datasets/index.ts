// The `datasets` namespace: real data that ships with the package, loaded with one call.
export { mnist } from './mnist';
export type { MnistOptions, MnistSplit, Mnist } from './mnist';
