import { decide } from '../src/kernel/decide.ts';
import { benchKernel, benchPolicy } from './fixture.ts';

const policy = benchPolicy();
const { kernel, intent } = await benchKernel(policy, 1000);
const ctx = kernel.context;
let s = 0;
for (let i = 0; i < 1_500_000; i++) s += decide(intent, ctx).checks.length;
console.log(s);
