export {
  type Clock,
  type Random,
  repeatEvery,
  systemClock,
  type TimerHandle,
} from '@pa-connector/service-runtime';
