// The suites that build, run and remove images in this machine's one containers-storage.
import Testing

/// EngineBuildTests, DgossEngineTests, ContainerLabTests and MultiPlatformBuildTests run one suite after
/// another: run at the same time, their builds, pulls and removals of the same Examples and base image raced
/// in containers-storage ("checking if cached image exists from a previous build: getting top layer info:
/// layer not known"), and an arm64 build re-points the local base name that the amd64 builds use.
@Suite(.serialized) enum LabSuites {}
