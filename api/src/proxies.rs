//! The client's address behind proxies. Only the proxies the service is told to trust
//! (`TRUSTED_PROXIES`: addresses and CIDR blocks) may speak for a client: when the peer is one of
//! them, the `X-Forwarded-For` and `Forwarded` chains are read from the right, skipping trusted
//! proxies, and the first address that is not one is the client. Anything to its left was written
//! by the client itself and is ignored, so a forged header neither escapes per-client limits nor
//! reaches the audit log.

use std::net::IpAddr;

/// An address block: an address and how many leading bits must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    address: IpAddr,
    prefix: u8,
}

impl Block {
    /// `10.0.0.0/8`, `2001:db8::/32`, or a single address.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().map_err(|_| format!("`{text}` is not an address or CIDR block"))?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}` has a prefix length outside 0 to {max}"))?,
        };
        Ok(Self { address, prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let bits = |a: IpAddr| -> (u128, u8) {
            match a {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        };
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        let ((block, width), (candidate, candidate_width)) = (bits(self.address), bits(address));
        if width != candidate_width {
            return false;
        }
        let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
        block & mask == candidate & mask
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Block>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR blocks; empty trusts no one.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',').filter(|item| !item.trim().is_empty()).map(Block::parse).collect::<Result<_, _>>().map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(address))
    }

    /// The client's address for a request from `peer` carrying these forwarding headers.
    pub fn client(&self, peer: IpAddr, x_forwarded_for: &[&str], forwarded: &[&str]) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        // The chain as the proxies appended it, oldest hop first, with the peer last.
        let mut chain: Vec<&str> = x_forwarded_for.iter().flat_map(|value| value.split(',')).collect();
        if chain.is_empty() {
            chain = forwarded
                .iter()
                .flat_map(|value| value.split(','))
                .filter_map(|element| {
                    element.split(';').find_map(|pair| {
                        let (key, value) = pair.trim().split_once('=')?;
                        key.eq_ignore_ascii_case("for").then_some(value)
                    })
                })
                .collect();
        }
        let mut client = peer;
        for hop in chain.iter().rev() {
            match parse_hop(hop) {
                Some(address) if self.trusts(address) => client = address,
                Some(address) => return address,
                // Not an address: the chain cannot be followed further; the last trusted hop is
                // the best that is known.
                None => return client,
            }
        }
        client
    }
}

/// One hop as the headers write it: `203.0.113.9`, `"[2001:db8::1]:4711"`, `198.51.100.1:80`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    hop.parse().ok().or_else(|| {
        hop.rsplit_once(':').and_then(|(address, _)| address.parse::<std::net::Ipv4Addr>().ok()).map(IpAddr::V4)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn blocks_match_their_addresses_only() {
        let block = Block::parse("10.0.0.0/8").unwrap();
        assert!(block.contains(ip("10.200.3.4")));
        assert!(!block.contains(ip("11.0.0.1")));
        assert!(Block::parse("192.0.2.7").unwrap().contains(ip("192.0.2.7")));
        assert!(!Block::parse("192.0.2.7").unwrap().contains(ip("192.0.2.8")));
        assert!(Block::parse("2001:db8::/32").unwrap().contains(ip("2001:db8:1::5")));
        assert!(Block::parse("127.0.0.1").unwrap().contains(ip("::ffff:127.0.0.1")), "mapped IPv4");
        assert!(Block::parse("10.0.0.0/33").is_err() && Block::parse("ten").is_err());
    }

    #[test]
    fn the_client_is_the_first_untrusted_address_from_the_right() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        let peer = ip("192.0.2.1");
        // A client that forges the leftmost entry is still itself.
        assert_eq!(trusted.client(peer, &["6.6.6.6, 203.0.113.9, 10.1.1.1"], &[]), ip("203.0.113.9"));
        assert_eq!(trusted.client(peer, &["6.6.6.6", "203.0.113.9"], &[]), ip("203.0.113.9"), "repeated headers");
        assert_eq!(trusted.client(peer, &[], &["for=6.6.6.6, for=\"[2001:db8::9]:4711\""]), ip("2001:db8::9"));
        assert_eq!(trusted.client(peer, &["198.51.100.7:5000"], &[]), ip("198.51.100.7"));
        // A peer that is not a trusted proxy speaks for no one.
        assert_eq!(trusted.client(ip("203.0.113.50"), &["6.6.6.6"], &[]), ip("203.0.113.50"));
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(trusted.client(peer, &["nonsense, 10.1.1.1"], &[]), ip("10.1.1.1"));
        // Nobody trusted: the peer.
        assert_eq!(TrustedProxies::default().client(peer, &["6.6.6.6"], &[]), peer);
    }
}
