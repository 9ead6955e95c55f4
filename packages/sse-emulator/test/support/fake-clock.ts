import type { Clock } from '../../src';

export class FakeClock implements Clock {
  private ms: number;
  constructor(start = new Date()) {
    this.ms = start.getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
