import Testing

/// Every suite that opens sockets nests here, so they run one at a time.
@Suite(.serialized) struct TransportSocketTests {}
