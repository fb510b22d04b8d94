import type { Clock } from "~/lib/clock";

/** A clock tests move by hand, so time-based rules are tested without waiting. */
export class TestClock implements Clock {
  #now: number;

  constructor(start: Date | string = "2026-11-24T10:00:00.000Z") {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  set(date: Date | string): void {
    this.#now = new Date(date).getTime();
  }
}
