import Testing

@Test func placeholderReferenceCloud() { #expect(Bool(true)) }
