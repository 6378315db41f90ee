/** The test bed finds a Java new enough for OpenSearch 3 without a path written into the repository. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findJdk, jdkMajor } from '../../testbed/java';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'jdks-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A JDK home as far as the search can tell: a folder with a `release` file. */
function fakeJdk(path: string, version: string): string {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'release'), `IMPLEMENTOR="Test"\nJAVA_VERSION="${version}"\n`);
  return path;
}

const noPathJava = () => undefined;

describe('findJdk', () => {
  it('takes JAVA21_HOME, then JAVA_HOME, when they are new enough', () => {
    const jdk21 = fakeJdk(join(root, 'a', 'jdk-21'), '21.0.5');
    const jdk25 = fakeJdk(join(root, 'b', 'jdk-25'), '25.0.3');
    expect(findJdk(21, { env: { JAVA21_HOME: jdk21, JAVA_HOME: jdk25 }, folders: [], pathJavaHome: noPathJava })).toBe(jdk21);
    expect(findJdk(21, { env: { JAVA_HOME: jdk25 }, folders: [], pathJavaHome: noPathJava })).toBe(jdk25);
  });

  it('passes over a Java 17 JAVA_HOME and takes the newest JDK of the JVM folders', () => {
    // GIVEN JAVA_HOME at Java 17 and a JVM folder with 17, 21 and 25
    const jvm = join(root, 'jvm');
    const jdk17 = fakeJdk(join(jvm, 'java-17-openjdk'), '17.0.15');
    fakeJdk(join(jvm, 'jdk-21.0.5'), '21.0.5');
    const jdk25 = fakeJdk(join(jvm, 'jdk-25'), '25.0.3');
    mkdirSync(join(jvm, 'not-a-jdk'));

    // WHEN asking for 21+ THEN the newest one wins
    expect(findJdk(21, { env: { JAVA_HOME: jdk17 }, folders: [jvm], pathJavaHome: () => jdk17 })).toBe(jdk25);
  });

  it('looks under Contents/Home on macOS', () => {
    const vms = join(root, 'JavaVirtualMachines');
    const home = fakeJdk(join(vms, 'jdk-21.jdk', 'Contents', 'Home'), '21.0.5');
    expect(findJdk(21, { env: {}, folders: [vms], pathJavaHome: noPathJava, platform: 'darwin' })).toBe(home);
  });

  it('fails naming every place it looked and the Java found there', () => {
    // GIVEN only Java 17 anywhere
    const jvm = join(root, 'jvm');
    const jdk17 = fakeJdk(join(jvm, 'java-17-openjdk'), '17.0.15');
    const absent = join(root, 'absent');

    // WHEN asking for 21+ THEN the error names JAVA_HOME, each folder and what it holds, and the fix
    expect(() => findJdk(21, { env: { JAVA_HOME: jdk17 }, folders: [jvm, absent], pathJavaHome: noPathJava })).toThrow(
      expect.objectContaining({
        code: 'TESTBED_JAVA_NOT_FOUND',
        message: `no Java 21 or newer found; looked at JAVA_HOME ${jdk17} (Java 17), ${jdk17} (Java 17), ${absent} (absent). Install a JDK 21+ or point JAVA21_HOME at one`,
      }),
    );
  });
});

describe('jdkMajor', () => {
  it('reads the feature release from the release file, old 1.x numbering included', () => {
    expect(jdkMajor(fakeJdk(join(root, 'a'), '25.0.3'))).toBe(25);
    expect(jdkMajor(fakeJdk(join(root, 'b'), '21'))).toBe(21);
    expect(jdkMajor(fakeJdk(join(root, 'c'), '1.8.0_402'))).toBe(8);
    expect(jdkMajor(join(root, 'empty'))).toBeUndefined();
  });
});
