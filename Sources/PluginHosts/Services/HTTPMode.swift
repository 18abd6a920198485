/// What a replay does with the HTTP requests plugins make through the `http_client` resource, as
/// VCR's record modes do with a cassette. Chosen when recording (`record --http MODE`) and kept in
/// the session's header; `replay --http MODE` overrides it for one replay.
public enum HTTPMode: String, Sendable, CaseIterable {
    /// Every request is answered from the recording; the network is never used. A request the
    /// recording does not have fails (as if offline) and is a divergence naming the plugin, the
    /// method, the URL and the field that did not match. VCR's `once`/`none`.
    case replay
    /// Requests the recording has are answered from it; any other goes to the network and is
    /// reported as new (not a divergence); `replay --update` keeps it. VCR's `new_episodes`.
    case new
    /// Every request goes to the network, as when it was recorded; a request that differs from the
    /// recorded one is a divergence. VCR's `all`.
    case live
}
