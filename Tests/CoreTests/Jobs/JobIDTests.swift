import Testing
@testable import Core

@Suite struct JobIDTests {
    @Test func idsSortByTimeAndCarryIt() {
        let id = JobID.make(milliseconds: 1_795_904_120_787, random: "wl7wYsBrXYZ")
        #expect(id == "job_1795904120787_wl7wYsBr")
        #expect(JobID.isValid(id))
        #expect(JobID.milliseconds(of: id) == 1_795_904_120_787)
        #expect(JobID.make(milliseconds: 5, random: "abcdefgh") == "job_0000000000005_abcdefgh")
    }

    @Test(arguments: ["", "job_1_abcdefgh", "job_1795904120787_abc", "job_1795904120787_abcdefg/", "jab_1795904120787_abcdefgh",
                      "job_179590412078x_abcdefgh", "job_1795904120787_abcdefgh_x"])
    func refusesWhatIsNoId(text: String) {
        #expect(!JobID.isValid(text))
    }
}
