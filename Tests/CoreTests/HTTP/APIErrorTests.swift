import Testing
@testable import Core

@Suite struct APIErrorTests {
    @Test func ourOwnFailuresBecomeInternalErrors() {
        #expect(APIError(answering: RunLockError("cannot lock x")) == .internalFailure(detail: "cannot lock x"))
        #expect(APIError(answering: JobStoreError("cannot write job record: EIO")) == .internalFailure(detail: "cannot write job record: EIO"))
        #expect(APIError(answering: JobStartError("the job could not be started")) == .internalFailure(detail: "the job could not be started"))
        #expect(APIError(answering: APIError.jobBusy(retryAfterSeconds: 3)) == .jobBusy(retryAfterSeconds: 3))
        #expect(APIError.internalFailure(detail: "x").status == 500)
    }

    @Test func stateFilesThatCannotBeWrittenAre503sNamingTheFile() {
        let detail = "cannot write job record /s/jobs/j.json: No space left on device"
        let errors: [any Error] = [
            RunLockError(detail, isUnwritable: true), JobStoreError(detail, isUnwritable: true),
            JobStartError(detail, isUnwritable: true), ResponseStoreError(detail, isUnwritable: true),
        ]
        for error in errors {
            #expect(APIError(answering: error) == .stateUnwritable(detail: detail))
            #expect(APIError(answering: error).response.status == 503)
        }
        #expect(APIError(answering: ResponseStoreError("response r: its record cannot be read")).status == 500, "a read is not a write")
    }

    @Test func busyAnswersSayWhenToComeBack() {
        #expect(APIError.busy(retryAfterSeconds: 4).response.header("Retry-After") == "4")
        #expect(APIError.jobBusy(retryAfterSeconds: 4).response.status == 409)
        #expect(APIError.executionFailed(detail: "x").response.header("x-should-retry") == "false")
    }
}
