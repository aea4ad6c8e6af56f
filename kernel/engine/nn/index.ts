// The `nn` namespace: modules, one file per family. A new family is a file here and one line below.
export { Module } from './module';
export { Linear, ReLU, Tanh, Sigmoid, Sequential, MLP } from './linear';
export type { LinearOptions, Activation, MLPOptions } from './linear';
// --- convolution ---
export { Conv2d, MaxPool2d, AvgPool2d } from './conv';
export type { Conv2dOptions } from './conv';
