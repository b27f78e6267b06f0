//! Which network a request comes from, for per-address limits.
//!
//! Behind a reverse proxy every connection comes from the proxy, so one
//! member's failures would count against the whole site. The proxy's own
//! address is configured (`HAGGLE_TRUSTED_PROXIES`), and only then is its
//! `X-Forwarded-For` believed; anyone else can write that header.

use axum::{
    extract::{ConnectInfo, Request, State},
    http::HeaderMap,
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;
use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

/// The address a request is counted under: set on every request by [`layer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The client of a connection from `peer`: the peer itself, unless it is
    /// a trusted proxy, in which case the nearest address in
    /// `X-Forwarded-For` that is not one of our proxies (each proxy appends
    /// the address it was reached from, so the right end is the most trusted).
    pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> ClientAddr {
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        let mut client = peer;
        if !is_trusted(&peer) {
            return ClientAddr(canonical(peer));
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect::<Vec<_>>();
        for hop in hops.iter().rev() {
            // A hop that is not an address ends the chain: everything to its
            // left was written by someone we cannot vouch for.
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !is_trusted(&ip) {
                break;
            }
        }
        ClientAddr(canonical(client))
    }

    /// The key a limit counts under: an IPv4 address, or the /64 network of an
    /// IPv6 one (one subscriber commonly holds a whole /64).
    pub fn network(&self) -> IpAddr {
        match self.0 {
            IpAddr::V4(v4) => IpAddr::V4(v4),
            IpAddr::V6(v6) => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        }
    }
}

/// IPv4 peers of a dual-stack socket arrive as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Middleware: resolves the client address once and stores it on the request.
pub async fn layer(
    State(trusted): State<Arc<Vec<IpNet>>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let client = ClientAddr::resolve(peer, req.headers(), &trusted);
    req.extensions_mut().insert(client);
    next.run(req).await
}

/// Parses `HAGGLE_TRUSTED_PROXIES`: networks (`10.0.0.0/8`) or single
/// addresses, separated by commas.
pub fn parse_networks(spec: &str) -> Result<Vec<IpNet>, String> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is not an address or network"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_read_only_from_trusted_proxies() {
        let proxies = parse_networks("10.0.0.0/8, 192.168.1.7").unwrap();
        // A direct client cannot pick its own address.
        let direct = ClientAddr::resolve(ip("203.0.113.5"), &headers(&["1.2.3.4"]), &proxies);
        assert_eq!(direct.0, ip("203.0.113.5"));
        // Through our proxy, the address it saw; what the client wrote to the
        // left of it is ignored.
        let proxied = ClientAddr::resolve(
            ip("10.1.2.3"),
            &headers(&["1.2.3.4, 198.51.100.9"]),
            &proxies,
        );
        assert_eq!(proxied.0, ip("198.51.100.9"));
        // Through two of our proxies (and two header lines).
        let chained = ClientAddr::resolve(
            ip("10.1.2.3"),
            &headers(&["6.6.6.6, 198.51.100.9", "192.168.1.7"]),
            &proxies,
        );
        assert_eq!(chained.0, ip("198.51.100.9"));
        // Garbage stops the walk at the last hop we can vouch for.
        let garbage = ClientAddr::resolve(
            ip("10.1.2.3"),
            &headers(&["198.51.100.9, nonsense"]),
            &proxies,
        );
        assert_eq!(garbage.0, ip("10.1.2.3"));
        // With no proxies configured, the header means nothing.
        assert_eq!(
            ClientAddr::resolve(ip("10.1.2.3"), &headers(&["1.2.3.4"]), &[]).0,
            ip("10.1.2.3")
        );
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let a = ClientAddr::resolve(ip("2001:db8:1:2:aaaa::1"), &HeaderMap::new(), &[]);
        let b = ClientAddr::resolve(ip("2001:db8:1:2:bbbb::9"), &HeaderMap::new(), &[]);
        let c = ClientAddr::resolve(ip("2001:db8:1:3::1"), &HeaderMap::new(), &[]);
        assert_eq!(a.network(), b.network());
        assert_ne!(a.network(), c.network());
        assert_eq!(a.network(), ip("2001:db8:1:2::"));
        let mapped = ClientAddr::resolve(ip("::ffff:192.0.2.1"), &HeaderMap::new(), &[]);
        assert_eq!(mapped.network(), ip("192.0.2.1"));
    }

    #[test]
    fn bad_proxy_lists_are_refused() {
        assert!(parse_networks("10.0.0.0/33").is_err());
        assert!(parse_networks("proxy.local").is_err());
        assert_eq!(parse_networks(" ").unwrap(), vec![]);
    }
}
