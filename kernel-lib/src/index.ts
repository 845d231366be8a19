/**
 * kernel-lib: real inter-process communication for the ipc-course notebooks.
 * This file is the whole public surface; every other module is internal.
 */
export {
  ChannelError,
  isChannelError,
  type Channel,
  type ChannelErrorCode,
  type ChannelPair,
  type Receiver,
  type Sender,
  type WaitOptions,
} from "./channel";
export {
  bytesCodec,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  jsonCodec,
  utf8Codec,
  type Codec,
} from "./codec";
export { closeAll, liveResources } from "./resources";
export {
  entryExecArgv,
  isStopMessage,
  spawnEntry,
  startWorker,
  STOP_MESSAGE,
  type ChildHandle,
  type ExitInfo,
  type SpawnEntryOptions,
  type StartWorkerOptions,
  type WorkerHandle,
} from "./process";
export { programPath } from "./programs";
export { createOsPipe, type OsPipe } from "./transports/os-pipe";
export {
  framedReader,
  framedWriter,
  type FramedWriterOptions,
  type FramingOptions,
} from "./transports/stream-framing";
export { childChannel, childPipes, parentPipes } from "./transports/pipe";
export { createFifo, openFifoReader, openFifoWriter, type Fifo } from "./transports/fifo";
export { barChart, type Bar, type BarChartOptions } from "./charts/bar";
export type {
  BarTrace,
  PlotlyAxis,
  PlotlyFigure,
  PlotlyLayout,
  ScatterTrace,
} from "./charts/figure";
export { formatBytes, formatValue } from "./charts/format";
export {
  SWEEP_METRICS,
  sizeSweepChart,
  type SizePoint,
  type SizeSeries,
  type SizeSweepOptions,
  type SweepMetric,
} from "./charts/size-sweep";
export { figureSummary, type FigureLike } from "./charts/summary";
export { showChart, showTable } from "./display";
export type { TableOptions, TableRow } from "./display-bundle";
export {
  measurePipeCapacity,
  type PipeCapacity,
  type PipeCapacityOptions,
} from "./transports/pipe-capacity";
export {
  createPortPair,
  parentChannel,
  portChannel,
  workerChannel,
  type PortChannel,
  type PortChannelOptions,
  type PortSendOptions,
} from "./transports/worker";
export {
  DEFAULT_LINGER_MS,
  multipartCodec,
  zmqDealer,
  zmqEndpoint,
  zmqPublisher,
  zmqPull,
  zmqPush,
  zmqReplier,
  zmqRequester,
  zmqRouter,
  zmqSubscriber,
  type PartsCodec,
  type RoutedMessage,
  type TopicMessage,
  type ZmqCodec,
  type ZmqDealer,
  type ZmqDealerOptions,
  type ZmqEnd,
  type ZmqEndpointKind,
  type ZmqPublisher,
  type ZmqPull,
  type ZmqPullOptions,
  type ZmqPush,
  type ZmqPushOptions,
  type ZmqReplier,
  type ZmqRequester,
  type ZmqRequesterOptions,
  type ZmqRouter,
  type ZmqRouterOptions,
  type ZmqSocketOptions,
  type ZmqSubscriber,
  type ZmqSubscriberOptions,
} from "./transports/zmq";
export {
  type MessageQueue,
  type QueueAttributes,
  type QueuedMessage,
  type QueueSendOptions,
} from "./queue/message-queue";
export {
  BoundedQueue,
  DEFAULT_QUEUE_PRIORITIES,
  type BlockingSendOptions,
  type BlockingWaitOptions,
  type BoundedQueueOptions,
} from "./queue/bounded-queue";
export { mqueueSupport, type MqueueSupport } from "./mqueue/binding";
export { mqueueLimits, type MqueueLimits } from "./mqueue/limits";
export { listMessageQueues, messageQueueExists, unlinkMessageQueue } from "./mqueue/kernel-queues";
export {
  openMessageQueue,
  PosixMessageQueue,
  type OpenMessageQueueOptions,
  type QueueAccess,
} from "./mqueue/posix-message-queue";
