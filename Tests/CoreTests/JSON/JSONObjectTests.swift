import Testing
@testable import Core

@Suite struct JSONObjectTests {
    @Test func keepsInsertionOrder() {
        var object: JSONObject = ["b": .integer(1), "a": .integer(2)]
        #expect(object.keys == ["b", "a"])
        object["c"] = .null
        object["b"] = .string("again")
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == .string("again"))
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["b"] == nil)
        // The places behind the removed key still find their values.
        #expect(object["a"] == .integer(2) && object["c"] == .null)
        object["b"] = .bool(true)
        #expect(object.map(\.key) == ["a", "c", "b"])
        #expect(object.count == 3 && !object.isEmpty && JSONObject().isEmpty)
        object["missing"] = nil
        #expect(object.count == 3)
    }

    @Test func iteratesPairsInOrder() {
        let object: JSONObject = ["z": .integer(1), "y": .integer(2), "x": .integer(3)]
        var seen: [String] = []
        for (key, value) in object { seen.append("\(key)=\(value.compactText)") }
        #expect(seen == ["z=1", "y=2", "x=3"])
        #expect(object.values == [.integer(1), .integer(2), .integer(3)])
    }

    @Test func equalityIsTheValuesNotTheOrder() {
        let one: JSONObject = ["a": .integer(1), "b": .array([.integer(1), .integer(2)])]
        #expect(one == ["b": .array([.integer(1), .integer(2)]), "a": .integer(1)])
        #expect(one != ["a": .integer(1), "b": .array([.integer(2), .integer(1)])])
        #expect(one != ["a": .integer(1)])
        #expect(one != ["a": .integer(1), "c": .array([.integer(1), .integer(2)])])
    }

    @Test func aLiteralThatRepeatsAKeyKeepsItsFirstPlaceAndLastValue() {
        let object = JSONObject([(key: "a", value: .integer(1)), (key: "b", value: .integer(2)), (key: "a", value: .integer(3))])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == .integer(3))
    }
}
