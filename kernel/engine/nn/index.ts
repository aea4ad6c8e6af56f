// The `nn` namespace: modules, one file per family. A new family is a file here and one line below.
export { Module } from './module';
export { Linear, ReLU, Tanh, Sigmoid, Sequential, MLP } from './linear';
export type { LinearOptions, Activation, MLPOptions } from './linear';
export { Embedding } from './embedding';
export type { EmbeddingOptions } from './embedding';
export { Flatten } from './shape';
// --- normalisation ---
export { BatchNorm1d, BatchNorm2d, LayerNorm } from './norm';
export type { BatchNormOptions, LayerNormOptions } from './norm';
export { Dropout } from './dropout';
export type { DropoutOptions } from './dropout';
export { Residual } from './residual';
// --- convolution ---
export { Conv2d, MaxPool2d, AvgPool2d } from './conv';
export type { Conv2dOptions } from './conv';
