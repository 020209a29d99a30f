/**
 * Which API server addresses a kubeconfig may name (./kubeconfig.ts): link-local and cloud
 * metadata addresses never (a broker would hand them its requests, a bearer token included);
 * private and loopback ones as the broker's operator decides (CLUSTER_PRIVATE_ADDRESSES).
 * Hosts are a WHATWG URL's `hostname`. A host NAME that resolves to such an address is not caught
 * here (workerd cannot resolve names): docs/broker.md says so.
 */

/** `localhost`, 127.0.0.0/8 or ::1 (a WHATWG URL's `hostname`: IPv6 in brackets, IPv4 normalized). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The IPv4 address of a URL host (dotted, or IPv4-mapped IPv6), or null. */
function ipv4Of(host: string): number[] | null {
  const dotted = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (dotted) return dotted.slice(1).map(Number);
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(host);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1] as string, 16), parseInt(mapped[2] as string, 16)];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255];
  }
  return null;
}

/** Host names that answer with a cloud provider's instance metadata (credentials among them). */
const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "[fd00:ec2::254]",
  "[fd20:ce::254]",
]);

/**
 * Why a server host is refused, or null. `hostname` is a WHATWG URL's (lower case, IPv4 in dotted
 * form whatever was typed, IPv6 in brackets and compressed).
 */
export function refusedServerHost(
  hostname: string,
  privateAddresses: "allow" | "refuse",
): "metadata" | "private" | null {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (METADATA_HOSTS.has(host) || /^\[fe[89ab][0-9a-f]?:/.test(host)) return "metadata";
  const ip = ipv4Of(host);
  // 169.254/16 link-local (AWS, GCP, Azure, OpenStack metadata); 100.100.100.200 Alibaba
  if (ip && ip[0] === 169 && ip[1] === 254) return "metadata";
  if (ip && ip.join(".") === "100.100.100.200") return "metadata";
  if (privateAddresses === "allow") return null;
  if (host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || host === "[::]") {
    return "private";
  }
  if (/^\[f[cd][0-9a-f]{0,2}:/.test(host)) return "private";
  if (ip) {
    const [a = 0, b = 0] = ip;
    if (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    ) {
      return "private";
    }
  }
  return null;
}

export interface ServerCheckOptions {
  runtime: "edge" | "node";
  /** the kubeconfig came from a network caller (see ParseKubeconfigOptions.origin) */
  remote: boolean;
  privateAddresses: "allow" | "refuse";
}

/**
 * Checks a kubeconfig cluster's `server` and returns it normalized (no trailing slash).
 * `fail(message)` throws the caller's error for `field`.
 */
export function checkServer(
  raw: string | undefined,
  field: string,
  options: ServerCheckOptions,
  fail: (message: string) => never,
): string {
  if (!raw) fail(`${field} is missing: give the API server's https:// URL`);
  let url: URL;
  try {
    url = new URL(raw as string);
  } catch {
    return fail(`${field} is not a URL: give the API server's https:// URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    fail(`${field} must be an https:// URL`);
  }
  // Plain http sends the bearer token in clear to whoever is on the path. The edge runtime (a
  // hosted broker holding many clusters' tokens) refuses it except to this machine (local
  // development, `kubectl proxy`, a tunnel's local end). On Node it is accepted, as kubectl
  // accepts it: there the kubeconfig is the user's own (the Action's input, a self-hosted
  // broker's operator), and refusing would break `kubectl proxy`-style setups on a private
  // network that kubectl itself serves. Nothing is logged: this core never logs.
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && options.runtime === "edge") {
    fail(
      `${field} is plain http:// to a host that is not this machine, which would send the credentials unencrypted: use the API server's https:// URL (http:// is allowed only for localhost, 127.0.0.0/8 and ::1)`,
    );
  }
  if (url.username || url.password) {
    fail(`${field} must not contain a user name or password: put credentials in the user entry`);
  }
  if ((raw as string).includes("?") || (raw as string).includes("#")) {
    fail(
      `${field} must not have a query or fragment ("?" or "#"): give the API server's URL, like https://10.0.0.1:6443`,
    );
  }
  if (options.remote && url.pathname !== "/") {
    fail(
      `${field} has a path (${url.pathname.length} characters after the host); the broker sends its requests to the API server itself: give its URL without a path, like https://10.0.0.1:6443 (behind Rancher: the cluster's authorized endpoint)`,
    );
  }
  const refused = refusedServerHost(url.hostname, options.privateAddresses);
  if (refused === "metadata") {
    fail(
      `${field} is a link-local or cloud metadata address (${url.hostname}), never a Kubernetes API server: give the API server's URL`,
    );
  }
  if (refused === "private") {
    fail(
      `${field} is a private or loopback address (${url.hostname}), and this broker reaches public API servers only (setting CLUSTER_PRIVATE_ADDRESSES=refuse): give the API server's public URL, or ask the broker's operator`,
    );
  }
  return url.href.replace(/\/+$/, "");
}
