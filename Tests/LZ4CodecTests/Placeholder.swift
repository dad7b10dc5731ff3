import Testing

@Test func placeholderLZ4CodecTests() { #expect(Bool(true)) }
