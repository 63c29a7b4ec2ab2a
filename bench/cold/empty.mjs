// The floor of bench/cold/run.ts's module-evaluation figures: a module with nothing in it.
export {};
