import Testing

@Test func placeholderConnectorCoreTests() { #expect(Bool(true)) }
