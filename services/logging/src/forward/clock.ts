export {
  type Clock,
  type Random,
  systemClock,
  type TimerHandle,
} from '@pa-connector/service-runtime';
