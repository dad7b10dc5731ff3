import Testing

@Test func placeholderFaultProxy() { #expect(Bool(true)) }
