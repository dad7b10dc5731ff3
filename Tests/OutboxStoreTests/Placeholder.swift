import Testing

@Test func placeholderOutboxStoreTests() { #expect(Bool(true)) }
