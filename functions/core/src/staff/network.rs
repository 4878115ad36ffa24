//! Which client addresses may reach the admin and clinic surfaces: the closed network (LGWAN)
//! ranges in production, loopback locally.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::error::CoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkPolicy {
    allowed: Vec<IpNet>,
}

impl NetworkPolicy {
    /// Loopback only: the local single-machine default.
    pub fn loopback() -> Self {
        Self::parse("127.0.0.0/8,::1/128").unwrap_or(Self {
            allowed: Vec::new(),
        })
    }

    /// A comma-separated list of CIDR ranges, e.g. `10.0.0.0/8, 192.168.10.0/24`.
    pub fn parse(ranges: &str) -> Result<Self, CoreError> {
        let mut allowed = Vec::new();
        for (index, range) in ranges.split(',').map(str::trim).enumerate() {
            if range.is_empty() {
                continue;
            }
            let net = range
                .parse::<IpNet>()
                .or_else(|_| range.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    CoreError::Invalid(format!(
                        "allowed network {}: {range:?} is not an address range such as 10.0.0.0/8",
                        index + 1
                    ))
                })?;
            allowed.push(net);
        }
        Ok(Self { allowed })
    }

    pub fn allows(&self, address: IpAddr) -> bool {
        // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is that IPv4 client.
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(address),
            v4 => v4,
        };
        self.allowed.iter().any(|net| net.contains(&address))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn loopback_policy_allows_only_loopback() {
        let policy = NetworkPolicy::loopback();
        assert!(policy.allows("127.0.0.1".parse().unwrap()));
        assert!(policy.allows("::1".parse().unwrap()));
        assert!(policy.allows("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!policy.allows("192.168.1.10".parse().unwrap()));
    }

    #[test]
    fn configured_ranges_are_parsed_and_a_bad_one_is_named() {
        let policy = NetworkPolicy::parse("10.20.0.0/16, 192.0.2.7").unwrap();
        assert!(policy.allows("10.20.3.4".parse().unwrap()));
        assert!(policy.allows("192.0.2.7".parse().unwrap()));
        assert!(!policy.allows("10.21.0.1".parse().unwrap()));
        let error = NetworkPolicy::parse("10.0.0.0/8, lgwan").unwrap_err();
        assert!(error.to_string().contains("allowed network 2"));
    }
}
