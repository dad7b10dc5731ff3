import Testing

@Test func placeholderCloudConnectorTests() { #expect(Bool(true)) }
