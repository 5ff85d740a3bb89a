// The RouterOS API protocol as the lab speaks it: words and sentences, the server, trap wordings.
export { labCertificate, type TlsCredentials } from "./certificate.js";
export {
  ApiServer,
  type ApiRequest,
  type ApiServerOptions,
  type ApiUser,
  type CommandHandler,
  type Reply,
} from "./server.js";
export { FatalMessage, TrapCategory, TrapError, TrapMessage } from "./traps.js";
export {
  DEFAULT_DECODER_LIMITS,
  MAX_WORD_LENGTH,
  ProtocolError,
  SentenceDecoder,
  SentenceEncoder,
  encodeSentence,
  prefixLength,
  writePrefix,
  type DecoderLimits,
} from "./words.js";
