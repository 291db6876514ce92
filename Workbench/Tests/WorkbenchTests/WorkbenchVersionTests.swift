// Workbench version names: the grammar, their order, the spellings derived from them and the URLs they name.
import Bakery
import Foundation
import Testing
import WorkbenchImages

/// The error `body` throws with `code`, or nil when it throws none (or one with another code).
private func bakeryError(_ code: BakeryError.Code, _ body: () throws -> Any) -> BakeryError? {
    do { _ = try body(); return nil } catch let error as BakeryError { return error.code == code ? error : nil } catch { return nil }
}

@Suite struct WorkbenchVersionTests {
    @Test(arguments: [
        // (name, year, month, patch, build, pro, prerelease)
        ("2026.04.0+526.pro2", 2026, 4, 0, 526, 2 as Int?, [String]()),
        ("2026.01.2+418.pro1", 2026, 1, 2, 418, 1, []),
        ("2025.09.2+418.pro4", 2025, 9, 2, 418, 4, []),
        ("2026.12.10+0.pro10", 2026, 12, 10, 0, 10, []),
        ("2026.04.0+526", 2026, 4, 0, 526, nil, []),
        ("2026.05.0-daily+187.pro3", 2026, 5, 0, 187, 3, ["daily"]),
        ("2026.05.0-preview+12.pro1", 2026, 5, 0, 12, 1, ["preview"]),
        ("2026.05.0-daily+187", 2026, 5, 0, 187, nil, ["daily"]),
    ])
    func acceptedNamesAndTheirParts(name: String, year: Int, month: Int, patch: Int, build: Int, pro: Int?, prerelease: [String]) throws {
        let v = try #require(WorkbenchVersion(name))
        #expect((v.year, v.month, v.patch, v.build) == (year, month, patch, build))
        #expect(v.pro == pro)
        #expect(v.prerelease == prerelease)
        #expect(v.isRelease == prerelease.isEmpty)
        #expect(v.description == name)
    }

    @Test(arguments: [
        "", "2026.04.0", "2026.04", "2026", "2026.04.0+", "2026.04.0+pro2", "2026.04.0+526.pro", "2026.04.0+526.pro2.x",
        "2026.04.0+526.pro02", "2026.04.0+0526.pro2", "2026.04.0+526.Pro2", "2026.04.0+526.2", "2026.04.0+526.pro-2",
        "2026.04.0+526+pro2", "2026.04.0+526.pro2+1", "2026.4.0+526.pro2", "2026.004.0+526.pro2", "2026.00.0+526.pro2",
        "2026.13.0+526.pro2", "2026.04.00+526.pro2", "02026.04.0+526.pro2", "1999.04.0+526.pro2", "v2026.04.0+526.pro2",
        " 2026.04.0+526.pro2", "2026.04.0+526.pro2 ", "2026.04.0 +526.pro2", "2026.04.0+526 .pro2", "2026.04.0-+526.pro2",
        "2026.04.0-daily.+187.pro3", "2026.04.0-daily+187-pro3", "2026.04.0-01+187.pro3", "2026.04.0_526.pro2",
        "2026.04.0+５２６.pro2", "latest",
    ])
    func rejectedNames(name: String) {
        #expect(WorkbenchVersion(name) == nil, "'\(name)' should not be a Workbench version")
    }

    @Test func versionsOrderByNumberThenChannelBuildThenBuildThenPro() throws {
        let ordered = [
            "2025.09.2+418.pro4", "2026.01.2+418.pro1", "2026.04.0-daily+530.pro1", "2026.04.0-preview+520.pro1",
            "2026.04.0+526", "2026.04.0+526.pro1", "2026.04.0+526.pro2", "2026.04.0+526.pro10", "2026.04.0+527.pro1",
            "2026.04.1+3.pro1", "2026.10.0+1.pro1", "2027.01.0+1.pro1",
        ].map { WorkbenchVersion($0)! }
        for (i, a) in ordered.enumerated() {
            for (j, b) in ordered.enumerated() {
                #expect((a < b) == (i < j), "\(a) < \(b) should be \(i < j)")
                #expect((a == b) == (i == j))
            }
        }
        #expect(ordered.shuffled().sorted() == ordered)
    }

    @Test func streamAndFileVersionAreTheSpellingsPathsAndFilesUse() throws {
        let release = try #require(WorkbenchVersion("2026.04.0+526.pro2"))
        #expect(release.stream == "2026.04")
        #expect(release.fileVersion == "2026.04.0-526.pro2")
        let daily = try #require(WorkbenchVersion("2026.05.0-daily+187.pro3"))
        #expect(daily.stream == "2026.05")
        #expect(daily.fileVersion == "2026.05.0-daily-187.pro3")
        #expect(WorkbenchVersion("2025.09.2+418")?.fileVersion == "2025.09.2-418")
        // The three versions bakery.yaml publishes, with their subpaths.
        for (name, subpath) in [("2026.04.0+526.pro2", "2026.04"), ("2026.01.2+418.pro1", "2026.01"), ("2025.09.2+418.pro4", "2025.09")] {
            #expect(WorkbenchVersion(name)?.stream == subpath)
        }
    }

    @Test(arguments: ["amd64", "arm64"])
    func theServerPackageIsOnTheDownloadServerPerUbuntuReleaseAndArchitecture(architecture: String) throws {
        let v = try #require(WorkbenchVersion("2026.04.0+526.pro2"))
        #expect(try v.downloadURL(os: .identify("Ubuntu 24.04"), architecture: architecture)
                == "https://download2.rstudio.org/server/noble/\(architecture)/rstudio-workbench-2026.04.0-526.pro2-\(architecture).deb")
        #expect(try v.downloadURL(os: .identify("Ubuntu 22.04"), architecture: architecture)
                == "https://download2.rstudio.org/server/jammy/\(architecture)/rstudio-workbench-2026.04.0-526.pro2-\(architecture).deb")
        let daily = try #require(WorkbenchVersion("2026.05.0-daily+187.pro3"))
        #expect(try daily.downloadURL(os: .identify("Ubuntu 24.04"), architecture: architecture)
                == "https://download2.rstudio.org/server/noble/\(architecture)/rstudio-workbench-2026.05.0-daily-187.pro3-\(architecture).deb")
    }

    @Test func theServerPackageURLRefusesOtherSystemsAndArchitectures() throws {
        let v = try #require(WorkbenchVersion("2026.04.0+526.pro2"))
        let rhel = bakeryError(.channel) { try v.downloadURL(os: .identify("RHEL 9"), architecture: "amd64") }
        #expect(rhel?.message == "bakery names the rstudio-workbench package for Ubuntu only, not for rhel 9")
        #expect(rhel?.hint?.contains("Ubuntu 22.04 or 24.04") == true)
        #expect(bakeryError(.channel) { try v.downloadURL(os: .identify("Debian 12"), architecture: "amd64") }?
                .message == "bakery names the rstudio-workbench package for Ubuntu only, not for debian 12")
        #expect(bakeryError(.channel) { try v.downloadURL(os: .scratch, architecture: "amd64") }?
                .message == "bakery names the rstudio-workbench package for Ubuntu only, not for scratch")
        let noCodename = BuildOS(family: .debian, name: "ubuntu", version: "28.04", codename: nil)
        #expect(bakeryError(.channel) { try v.downloadURL(os: noCodename, architecture: "amd64") }?.message.contains("no codename known for Ubuntu 28.04") == true)
        for architecture in ["x86_64", "aarch64", "AMD64", "", "arm"] {
            let error = bakeryError(.invalidArgument) { try v.downloadURL(os: .identify("Ubuntu 24.04"), architecture: architecture) }
            #expect(error?.message == "'\(architecture)' is not an architecture Posit Workbench images are built for")
            #expect(error?.hint == "use amd64 or arm64 (the TARGETARCH of linux/amd64 and linux/arm64)")
        }
    }

    @Test func theSessionComponentsTarballNamesTheArchitectureAsS3Does() throws {
        let v = try #require(WorkbenchVersion("2026.04.0+526.pro2"))
        #expect(try v.sessionComponentsURL(architecture: "amd64")
                == "https://s3.amazonaws.com/rstudio-ide-build/session/multi/x86_64/rsp-session-multi-linux-2026.04.0-526.pro2-x86_64.tar.gz")
        #expect(try v.sessionComponentsURL(architecture: "arm64")
                == "https://s3.amazonaws.com/rstudio-ide-build/session/multi/arm64/rsp-session-multi-linux-2026.04.0-526.pro2-arm64.tar.gz")
        #expect(try WorkbenchVersion("2025.09.2+418.pro4")!.sessionComponentsURL(architecture: "amd64")
                == "https://s3.amazonaws.com/rstudio-ide-build/session/multi/x86_64/rsp-session-multi-linux-2025.09.2-418.pro4-x86_64.tar.gz")
        #expect(bakeryError(.invalidArgument) { try v.sessionComponentsURL(architecture: "x86_64") } != nil)
        #expect(bakeryError(.invalidArgument) { try v.sessionComponentsURL(architecture: "aarch64") } != nil)
        #expect(WorkbenchVersion.architectures == ["amd64", "arm64"])
    }

    @Test func problemsExplainWhatIsWrongWithAName() {
        #expect(WorkbenchVersion.problem(with: "2026.04.0+526.pro2") == nil)
        #expect(WorkbenchVersion.problem(with: "2026.04.0") == "it has no build: add '+BUILD.proN' as the release is named")
        #expect(WorkbenchVersion.problem(with: "2026.04.0 +526.pro2") == "it contains spaces; remove them")
        #expect(WorkbenchVersion.problem(with: "v2026.04.0+526.pro2") == "drop the leading 'v'")
        #expect(WorkbenchVersion.problem(with: "2026.04.0+526+pro2") == "it has more than one '+'; only the build follows '+'")
        #expect(WorkbenchVersion.problem(with: "2026.4.0+526.pro2")
                == "the form is YYYY.MM.P+BUILD.proN, with a two-digit month and no leading zeros elsewhere")
    }
}
