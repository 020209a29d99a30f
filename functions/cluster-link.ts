/**
 * A fan-out wider than one Worker invocation's connections. Deployed Workers let one invocation
 * have 6 connections waiting for an answer's headers; a 7th waits for a slot, so a PUT to 10
 * clusters took two round trips where one would do. A call to a Durable Object is not one of
 * those connections, and each request a Durable Object receives is an invocation with its own 6.
 * So when a fan-out reaches more clusters than that, every request to a cluster leaves from that
 * cluster's `ClusterLink` object (`idFromName("link:<cluster>")`): the Worker builds the request
 * (URL, method, headers, body: the fetch adapter as always) and hands it to the link, which
 * sends it and streams the answer back. Below the cap the Worker sends directly (no extra hop).
 * docs/decisions/0018-fanout-links.md.
 *
 * Workers only; the Node entry has no connection cap and no links.
 */
import { DurableObject } from "cloudflare:workers";
import { INVOCATION_HEADER } from "./workers-limits.ts";

interface LinkEnv {
  NAME_INVOCATIONS?: string;
}

export class ClusterLink extends DurableObject<LinkEnv> {
  async fetch(request: Request): Promise<Response> {
    const outgoing = new Request(request, { redirect: "manual" });
    if (this.env.NAME_INVOCATIONS === "1") {
      outgoing.headers.set(INVOCATION_HEADER, `link-${crypto.randomUUID()}`);
    }
    return await fetch(outgoing);
  }
}

/** The `fetch` of a cluster's link: each call is one invocation of its Durable Object. */
export function linkFetch(links: DurableObjectNamespace, cluster: string): typeof fetch {
  const stub = links.get(links.idFromName(`link:${cluster}`)) as Fetcher;
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    stub.fetch(input, init)) as typeof fetch;
}
