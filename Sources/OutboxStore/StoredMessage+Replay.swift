public import ConnectorCore

/// The replay window pages through held messages by seq; a stored message is exactly that.
extension StoredMessage: ReplayMessage {}
