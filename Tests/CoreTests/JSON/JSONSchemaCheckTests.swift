import Testing
@testable import Core

@Suite struct JSONSchemaCheckTests {
    func check(_ text: String) throws(APIError) {
        guard let schema = JSONValue.parse(Array(text.utf8)) else {
            Issue.record("not JSON: \(text)")
            return
        }
        try JSONSchemaCheck.check(schema, at: "schema")
    }

    @Test(arguments: [
        #"{}"#,
        #"{"type":"object","properties":{"name":{"type":"string","minLength":1,"pattern":"^a"},"age":{"type":["integer","null"],"minimum":0}},"required":["name"],"additionalProperties":false}"#,
        #"{"type":"array","items":{"enum":[1,"two",null]},"minItems":0,"maxItems":3,"uniqueItems":true}"#,
        #"{"items":[{"type":"string"},true],"additionalItems":false}"#,
        ##"{"anyOf":[{"type":"string"},{"not":{"const":3}}],"$defs":{"x":{"$ref":"#/$defs/x"}},"$schema":"https://json-schema.org/draft/2020-12/schema"}"##,
        #"{"if":{"properties":{"a":{"const":1}}},"then":{"required":["a"]},"else":false,"multipleOf":0.5,"exclusiveMaximum":10.5}"#,
        #"{"x-unknown-keyword":[1,2,3],"format":"date","description":"free text"}"#,
    ])
    func acceptsSchemasOfEveryKnownShape(schema: String) throws {
        try check(schema)
    }

    @Test(arguments: [
        (#"[]"#, "schema must be a JSON Schema object, not array"),
        (#"true"#, "schema must be a JSON Schema object, not boolean"),
        (#"{"type":"text"}"#, "schema.type must be one of array, boolean, integer, null, number, object, string, or a list of them"),
        (#"{"type":[]}"#, "schema.type must be one of array, boolean, integer, null, number, object, string, or a list of them"),
        (#"{"type":["string","string"]}"#, "schema.type must list distinct types, each one of array, boolean, integer, null, number, object, string"),
        (#"{"required":["a",1]}"#, "schema.required must be an array of strings"),
        (#"{"required":["a","a"]}"#, "schema.required repeats a name"),
        (#"{"enum":[]}"#, "schema.enum must be a non-empty array"),
        (#"{"multipleOf":0}"#, "schema.multipleOf must be a number above 0"),
        (#"{"uniqueItems":"yes"}"#, "schema.uniqueItems must be a boolean"),
        (#"{"allOf":[]}"#, "schema.allOf must be a non-empty array of schemas"),
        (#"{"oneOf":[{"type":"string"},3]}"#, "schema.oneOf[1] must be a schema (an object or a boolean), not number"),
        (#"{"properties":[]}"#, "schema.properties must be an object of schemas"),
        (#"{"properties":{"age":{"type":"int"}}}"#, "schema.properties.age.type must be one of array, boolean, integer, null, number, object, string, or a list of them"),
        (#"{"items":[{"minLength":-1}]}"#, "schema.items[0].minLength must be a non-negative integer"),
        (#"{"maxItems":1.5}"#, "schema.maxItems must be a non-negative integer"),
        (#"{"minimum":"0"}"#, "schema.minimum must be a number"),
        (#"{"pattern":7}"#, "schema.pattern must be a string"),
        (#"{"additionalProperties":"no"}"#, "schema.additionalProperties must be a schema (an object or a boolean), not string"),
    ])
    func refusesABadKeywordNamingItsPath(schema: String, message: String) {
        #expect(throws: APIError.invalidRequest(message)) { try check(schema) }
    }

    @Test func theFirstProblemIsNamedInKeyOrder() {
        #expect(throws: APIError.invalidRequest("schema.enum must be a non-empty array")) {
            try check(#"{"type":"nope","enum":[]}"#)
        }
    }

    @Test func nestingIsBounded() throws {
        let depth = JSONSchemaCheck.maxDepth
        let deep = String(repeating: #"{"not":"#, count: depth) + "{}" + String(repeating: "}", count: depth)
        #expect(throws: APIError.invalidRequest("schema" + String(repeating: ".not", count: depth) + " nests deeper than \(depth) levels")) {
            try check(deep)
        }
        let fits = String(repeating: #"{"not":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        try check(fits)
    }
}
