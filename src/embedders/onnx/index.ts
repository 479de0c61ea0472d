export { OnnxEmbedder, createOnnxEmbedderFactory, onnxEmbedderFactory, type OnnxEmbedderOptions, type OnnxFactoryOptions } from "./onnx-embedder.js";
export { readOnnxModelDirectory, type OnnxModelDirectory, type OnnxPooling } from "./onnx-model-directory.js";
export { WordPieceTokenizer, type EncodedText } from "./wordpiece-tokenizer.js";
