// W1: 100,000 tasks that each sleep(0) ten times, joined by gather. Prints the elapsed and CPU milliseconds of run().
import * as asyncio from 'coroutine-trace';
import { measure } from './measure';

const TASKS = 100_000;
const YIELDS = 10;

const worker = asyncio.coroutine(async function worker() {
  for (let i = 0; i < YIELDS; i++) await asyncio.sleep(0);
});

const main = asyncio.coroutine(async function main() {
  const tasks = [];
  for (let i = 0; i < TASKS; i++) tasks.push(asyncio.createTask(worker()));
  await asyncio.gather(...tasks);
});

measure(() => asyncio.run(main()));
