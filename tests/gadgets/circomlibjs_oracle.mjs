// Answers a JSON list of requests on stdin with circomlibjs (the reference for Poseidon, Baby
// Jubjub and EdDSA-Poseidon). Numbers travel as decimal strings, byte strings as hex.
import { buildBabyjub, buildEddsa, buildPoseidon } from "circomlibjs";

const [babyJub, eddsa, poseidon] = await Promise.all([buildBabyjub(), buildEddsa(), buildPoseidon()]);
const F = babyJub.F;
const point = (p) => p.map((c) => F.toObject(c).toString());
const fromPoint = (p) => p.map((c) => F.e(BigInt(c)));
const bytes = (hex) => Buffer.from(hex, "hex");

const ops = {
    poseidon: ({ inputs }) => F.toObject(poseidon(inputs.map(BigInt))).toString(),
    add: ({ p, q }) => point(babyJub.addPoint(fromPoint(p), fromPoint(q))),
    mul: ({ p, k }) => point(babyJub.mulPointEscalar(fromPoint(p), BigInt(k))),
    in_subgroup: ({ p }) => babyJub.inSubgroup(fromPoint(p)),
    pack: ({ p }) => Buffer.from(babyJub.packPoint(fromPoint(p))).toString("hex"),
    unpack: ({ packed }) => {
        const p = babyJub.unpackPoint(bytes(packed));
        return p === null ? null : point(p);
    },
    prv2pub: ({ prv }) => point(eddsa.prv2pub(bytes(prv))),
    sign: ({ prv, msg }) => {
        const sig = eddsa.signPoseidon(bytes(prv), F.e(BigInt(msg)));
        return { R8: point(sig.R8), S: sig.S.toString() };
    },
    verify: ({ msg, R8, S, A }) =>
        eddsa.verifyPoseidon(F.e(BigInt(msg)), { R8: fromPoint(R8), S: BigInt(S) }, fromPoint(A)),
};

let input = "";
for await (const chunk of process.stdin) input += chunk;
const answers = JSON.parse(input).map(({ op, ...args }) => ops[op](args));
process.stdout.write(JSON.stringify(answers));
process.exit(0);
