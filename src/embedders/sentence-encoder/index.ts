export {
  SentenceEncoderEmbedder,
  createSentenceEncoderEmbedderFactory,
  sentenceEncoderEmbedderFactory,
  type SentenceEncoderEmbedderFactory,
  type SentenceEncoderFactoryOptions,
  type SentenceEncoderOptions,
} from "./sentence-encoder-embedder.js";
export { loadSentenceEncoder, sentenceEncoderModelId, type SentenceEncoderModel } from "./load-sentence-encoder.js";
