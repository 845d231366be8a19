/**
 * The ZeroMQ transport: the socket patterns of zeromq.js v6 behind kernel-lib's channel
 * contract. See docs/zeromq.md for the patterns, endpoints, high-water marks and the rules
 * for worker threads.
 */
export { zmqEndpoint, type ZmqEndpointKind } from "./endpoint";
export { multipartCodec, type PartsCodec, type ZmqCodec } from "./parts";
export { DEFAULT_LINGER_MS, type ZmqEnd, type ZmqSocketOptions } from "./socket-handle";
export {
  zmqPull,
  zmqPush,
  type ZmqPull,
  type ZmqPullOptions,
  type ZmqPush,
  type ZmqPushOptions,
} from "./push-pull";
export {
  zmqReplier,
  zmqRequester,
  type ZmqReplier,
  type ZmqRequester,
  type ZmqRequesterOptions,
} from "./req-rep";
export {
  zmqPublisher,
  zmqSubscriber,
  type TopicMessage,
  type ZmqPublisher,
  type ZmqSubscriber,
  type ZmqSubscriberOptions,
} from "./pub-sub";
export {
  zmqDealer,
  zmqRouter,
  type RoutedMessage,
  type ZmqDealer,
  type ZmqDealerOptions,
  type ZmqRouter,
  type ZmqRouterOptions,
} from "./dealer-router";
