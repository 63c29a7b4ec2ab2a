/** The floor: a Worker that answers every request with a fixed text. */
export default { fetch: (): Response => new Response("ok") };
