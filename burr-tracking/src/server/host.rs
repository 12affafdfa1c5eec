//! [`AllowedHosts`]: the `Host` names the server answers, against DNS rebinding.
//!
//! A web page elsewhere can point a name it controls at `127.0.0.1` and then read what a
//! local server answers under that name. Answering only the loopback names (and the names
//! the user allowed) closes that door: the page's requests carry its own name in `Host`.

use std::net::IpAddr;

/// The `Host` names the server answers: the loopback names (`localhost`, `127.0.0.1`,
/// `[::1]`), with any port, and the names added with [`try_allow`](Self::try_allow).
///
/// A request without a `Host` (an HTTP/1.0 client, a call made in-process) is not a
/// browser's and is answered.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::AllowedHosts;
/// let hosts = AllowedHosts::loopback().allow("burr.lan");
/// assert!(hosts.allows("localhost:7241"));
/// assert!(hosts.allows("[::1]:7241"));
/// assert!(hosts.allows("BURR.lan"));
/// assert!(!hosts.allows("attacker.example:7241"));
/// assert!(!hosts.allows("127.0.0.1.attacker.example"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts {
    /// Lowercase names without port; IPv6 addresses in brackets.
    names: Vec<String>,
}

impl Default for AllowedHosts {
    fn default() -> Self {
        Self::loopback()
    }
}

impl AllowedHosts {
    /// Only the loopback names: `localhost`, `127.0.0.1` and `[::1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// let hosts = burr_tracking::server::AllowedHosts::loopback();
    /// assert!(hosts.allows("127.0.0.1:7241") && !hosts.allows("192.168.1.5:7241"));
    /// ```
    pub fn loopback() -> Self {
        AllowedHosts {
            names: vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()],
        }
    }

    /// Also answers `name`: a host name or an IP address (IPv6 with or without brackets),
    /// with or without a port (the port is not compared).
    ///
    /// # Errors
    ///
    /// [`InvalidHostName`] when `name` is none of these: empty, a URL (`http://burr.lan`),
    /// a port that is not a number (`burr.lan:abc`), characters a host name cannot hold.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::AllowedHosts;
    /// let hosts = AllowedHosts::loopback().try_allow("fe80::1")?.try_allow("burr.lan:7241")?;
    /// assert!(hosts.allows("[fe80::1]:7241") && hosts.allows("burr.lan"));
    /// let err = AllowedHosts::loopback().try_allow("http://burr.lan").unwrap_err();
    /// assert!(err.to_string().contains("http://burr.lan"));
    /// # Ok::<(), burr_tracking::server::InvalidHostName>(())
    /// ```
    pub fn try_allow(mut self, name: impl AsRef<str>) -> Result<Self, InvalidHostName> {
        let given = name.as_ref();
        let parsed = match given.trim().parse::<IpAddr>() {
            Ok(ip) => Some(ip_name(ip)),
            Err(_) => host_name(given),
        };
        let name = parsed.ok_or_else(|| InvalidHostName {
            name: given.to_owned(),
        })?;
        if !self.names.contains(&name) {
            self.names.push(name);
        }
        Ok(self)
    }

    /// Also answers `name`, which must be well formed: [`try_allow`](Self::try_allow) for
    /// names from a user.
    ///
    /// # Panics
    ///
    /// When [`try_allow`](Self::try_allow) refuses `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// let hosts = burr_tracking::server::AllowedHosts::loopback().allow("192.168.1.5");
    /// assert!(hosts.allows("192.168.1.5:7241"));
    /// ```
    pub fn allow(self, name: impl AsRef<str>) -> Self {
        self.try_allow(name).unwrap_or_else(|err| panic!("{err}"))
    }

    /// Also answers the address the server listens on, unless it is unspecified
    /// (`0.0.0.0` and `::` are not names a client uses).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::AllowedHosts;
    /// let hosts = AllowedHosts::loopback().allow_ip("10.0.0.7".parse().unwrap());
    /// assert!(hosts.allows("10.0.0.7:7241"));
    /// let any = AllowedHosts::loopback().allow_ip("0.0.0.0".parse().unwrap());
    /// assert_eq!(any, AllowedHosts::loopback());
    /// ```
    pub fn allow_ip(mut self, ip: IpAddr) -> Self {
        let name = ip_name(ip);
        if !ip.is_unspecified() && !self.names.contains(&name) {
            self.names.push(name);
        }
        self
    }

    /// Whether a `Host` header's value (name and optional port) is answered.
    ///
    /// # Examples
    ///
    /// ```
    /// let hosts = burr_tracking::server::AllowedHosts::loopback();
    /// assert!(hosts.allows("localhost"));
    /// assert!(!hosts.allows("localhost:notaport"));
    /// ```
    pub fn allows(&self, host: &str) -> bool {
        host_name(host).is_some_and(|name| self.names.contains(&name))
    }
}

/// A name that [`AllowedHosts::try_allow`] cannot take: not a host name or an IP address,
/// with an optional numeric port.
///
/// # Examples
///
/// ```
/// let err = burr_tracking::server::AllowedHosts::loopback().try_allow("").unwrap_err();
/// assert_eq!(err.name(), "");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{name:?} is not a host name or an IP address (expected e.g. `burr.lan`, `192.168.1.5`, \
     `fe80::1` or `[fe80::1]:7241`; no scheme, a numeric port)"
)]
pub struct InvalidHostName {
    name: String,
}

impl InvalidHostName {
    /// The name as given.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// How an address appears in a `Host` value: IPv6 in brackets.
fn ip_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// The name part of a `Host` value, lowercased, without port or trailing dot; `None` when it
/// is not a well-formed `name[:port]`.
fn host_name(host: &str) -> Option<String> {
    let host = host.trim();
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':')?),
        };
        (
            format!("[{}]", inside.parse::<std::net::Ipv6Addr>().ok()?),
            port,
        )
    } else {
        let (name, port) = match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        let plain = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !plain {
            return None;
        }
        (name.to_ascii_lowercase(), port)
    };
    match port {
        Some(port) if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) => None,
        _ => Some(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_values_are_parsed_strictly() {
        let hosts = AllowedHosts::loopback();
        for good in [
            "localhost",
            "LOCALHOST:1",
            "127.0.0.1:7241",
            "[::1]",
            "[::1]:80",
            "localhost.",
        ] {
            assert!(hosts.allows(good), "{good}");
        }
        for bad in [
            "",
            "evil.example",
            "localhost:",
            "localhost:80:80",
            "[::1]x",
            "[::2]",
            "127.0.0.2",
            "localhost.evil.example",
            "local host",
            "[::1]:",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        let v6 = AllowedHosts::loopback().allow_ip("fe80::1".parse().unwrap());
        assert!(v6.allows("[FE80::1]:7241"));
    }

    #[test]
    fn allowed_names_are_parsed_or_refused() {
        for (given, host) in [
            ("::1", "[::1]:7241"),
            ("fe80::1", "[fe80::1]"),
            ("[fe80::1]:7241", "[fe80::1]:80"),
            ("10.0.0.7", "10.0.0.7:7241"),
            (" burr.lan ", "BURR.LAN:7241"),
            ("burr.lan:7241", "burr.lan"),
        ] {
            let hosts = AllowedHosts::loopback().try_allow(given).unwrap();
            assert!(hosts.allows(host), "{given} -> {host}");
        }
        for bad in [
            "",
            " ",
            "http://burr.lan",
            "burr.lan/",
            "name:abc",
            "name:",
            "fe80::1:abc:",
            "[fe80::1",
        ] {
            let err = AllowedHosts::loopback().try_allow(bad).unwrap_err();
            assert_eq!(err.name(), bad);
        }
    }
}
