import Testing

/// Every suite of this target runs inside this one, one test at a time: they share loopback ports,
/// child processes and two cores, and several measure backoff counts that a neighbour's load would
/// distort. (`tools/test` also runs this target apart from the others.)
@Suite(.serialized) enum LinkSuites {}
