// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Groth16 verifier over BN254 for circuits with one public input.
/// @notice The verifying key is a constructor argument kept in immutables, not a generated source file:
///         immutables are inlined into the runtime code (PUSH32), so verification costs the same as with
///         literal constants, while one audited, committed artifact serves every circuit key and the
///         runtime never needs a Solidity compiler. zkclear's batch circuit has exactly one public input
///         (the batch commitment), which is why the key holds exactly two IC points.
///         The key is stored with β, γ and δ negated, so the check
///         e(A, B) · e(α, -β) · e(vk_x, -γ) · e(C, -δ) = 1 needs no negation at verification time.
///         G2 points use the EIP-197 coordinate order: x = [x.c1, x.c0], y = [y.c1, y.c0] (as snarkjs's
///         Solidity calldata), and verifyProof has snarkjs's verifier signature.
contract Groth16Verifier {
    /// BN254 group order: public inputs must be below it.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// BN254 base field modulus: point coordinates must be below it.
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    error InvalidVerifyingKey();
    error PrecompileFailed();

    uint256 internal immutable ALPHA_X;
    uint256 internal immutable ALPHA_Y;
    uint256 internal immutable NEG_BETA_X1;
    uint256 internal immutable NEG_BETA_X0;
    uint256 internal immutable NEG_BETA_Y1;
    uint256 internal immutable NEG_BETA_Y0;
    uint256 internal immutable NEG_GAMMA_X1;
    uint256 internal immutable NEG_GAMMA_X0;
    uint256 internal immutable NEG_GAMMA_Y1;
    uint256 internal immutable NEG_GAMMA_Y0;
    uint256 internal immutable NEG_DELTA_X1;
    uint256 internal immutable NEG_DELTA_X0;
    uint256 internal immutable NEG_DELTA_Y1;
    uint256 internal immutable NEG_DELTA_Y0;
    uint256 internal immutable IC0_X;
    uint256 internal immutable IC0_Y;
    uint256 internal immutable IC1_X;
    uint256 internal immutable IC1_Y;

    /// @param alpha α in G1; beta, gamma, delta in G2 (EIP-197 order); ic the two points IC₀, IC₁ in G1.
    /// Reverts with InvalidVerifyingKey unless every point is a finite, valid curve point (G2 points are
    /// checked by the pairing precompile, which also enforces their subgroup).
    constructor(
        uint256[2] memory alpha,
        uint256[2][2] memory beta,
        uint256[2][2] memory gamma,
        uint256[2][2] memory delta,
        uint256[2][2] memory ic
    ) {
        if (!_onG1(alpha[0], alpha[1]) || !_onG1(ic[0][0], ic[0][1]) || !_onG1(ic[1][0], ic[1][1])) {
            revert InvalidVerifyingKey();
        }
        if (_isZero(beta) || _isZero(gamma) || _isZero(delta)) revert InvalidVerifyingKey();
        _checkG2(beta, gamma, delta);
        ALPHA_X = alpha[0];
        ALPHA_Y = alpha[1];
        NEG_BETA_X1 = beta[0][0];
        NEG_BETA_X0 = beta[0][1];
        NEG_BETA_Y1 = _negate(beta[1][0]);
        NEG_BETA_Y0 = _negate(beta[1][1]);
        NEG_GAMMA_X1 = gamma[0][0];
        NEG_GAMMA_X0 = gamma[0][1];
        NEG_GAMMA_Y1 = _negate(gamma[1][0]);
        NEG_GAMMA_Y0 = _negate(gamma[1][1]);
        NEG_DELTA_X1 = delta[0][0];
        NEG_DELTA_X0 = delta[0][1];
        NEG_DELTA_Y1 = _negate(delta[1][0]);
        NEG_DELTA_Y0 = _negate(delta[1][1]);
        IC0_X = ic[0][0];
        IC0_Y = ic[0][1];
        IC1_X = ic[1][0];
        IC1_Y = ic[1][1];
    }

    /// @notice True iff (a, b, c) is a valid proof for the public input. Returns false for a public
    ///         input ≥ r, a coordinate ≥ q, A or C off the curve or at infinity, or a failed pairing
    ///         check. Reverts with PrecompileFailed when a precompile call fails: the pairing rejects a B
    ///         off the twist or outside the order-r subgroup, or a call ran out of gas. Those two cannot be
    ///         told apart, and answering false to running out of gas would make eth_estimateGas settle on
    ///         a limit at which every proof is "invalid"; reverting makes too little gas an error.
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[1] calldata pubSignals
    ) external view returns (bool valid) {
        bool precompilesOk = true;
        // Pairing input: four (G1, G2) pairs of 6 words. The key's words are written here from Solidity
        // because inline assembly cannot read immutables; the proof's words are copied in assembly.
        uint256[24] memory p;
        p[6] = ALPHA_X;
        p[7] = ALPHA_Y;
        p[8] = NEG_BETA_X1;
        p[9] = NEG_BETA_X0;
        p[10] = NEG_BETA_Y1;
        p[11] = NEG_BETA_Y0;
        p[14] = NEG_GAMMA_X1;
        p[15] = NEG_GAMMA_X0;
        p[16] = NEG_GAMMA_Y1;
        p[17] = NEG_GAMMA_Y0;
        p[20] = NEG_DELTA_X1;
        p[21] = NEG_DELTA_X0;
        p[22] = NEG_DELTA_Y1;
        p[23] = NEG_DELTA_Y0;
        // vk_x = IC₀ + s·IC₁: ecMul input (IC₁, s) then ecAdd input (IC₀, s·IC₁).
        uint256[3] memory mulIn;
        mulIn[0] = IC1_X;
        mulIn[1] = IC1_Y;
        uint256[4] memory addIn;
        addIn[0] = IC0_X;
        addIn[1] = IC0_Y;
        assembly ("memory-safe") {
            let s := calldataload(pubSignals)
            let ax := calldataload(a)
            let ay := calldataload(add(a, 0x20))
            let cx := calldataload(c)
            let cy := calldataload(add(c, 0x20))
            // Every coordinate below q; A and C on y² = x³ + 3 (which also excludes (0, 0), infinity).
            valid := and(lt(s, R), and(lt(ax, Q), lt(ay, Q)))
            valid := and(valid, and(lt(cx, Q), lt(cy, Q)))
            valid := and(valid, and(lt(calldataload(b), Q), lt(calldataload(add(b, 0x20)), Q)))
            valid := and(valid, and(lt(calldataload(add(b, 0x40)), Q), lt(calldataload(add(b, 0x60)), Q)))
            valid := and(valid, eq(mulmod(ay, ay, Q), addmod(mulmod(ax, mulmod(ax, ax, Q), Q), 3, Q)))
            valid := and(valid, eq(mulmod(cy, cy, Q), addmod(mulmod(cx, mulmod(cx, cx, Q), Q), 3, Q)))
            if valid {
                mstore(add(mulIn, 0x40), s)
                precompilesOk := staticcall(gas(), 0x07, mulIn, 0x60, add(addIn, 0x40), 0x40)
                precompilesOk := and(precompilesOk, staticcall(gas(), 0x06, addIn, 0x80, add(p, 0x180), 0x40))
                mstore(p, ax)
                mstore(add(p, 0x20), ay)
                calldatacopy(add(p, 0x40), b, 0x80)
                mstore(add(p, 0x240), cx)
                mstore(add(p, 0x260), cy)
                precompilesOk := and(precompilesOk, staticcall(gas(), 0x08, p, 0x300, p, 0x20))
                valid := and(precompilesOk, mload(p))
            }
        }
        if (!precompilesOk) revert PrecompileFailed();
    }

    /// @notice The verifying key as given to the constructor (β, γ, δ un-negated, EIP-197 order).
    function verifyingKey()
        external
        view
        returns (
            uint256[2] memory alpha,
            uint256[2][2] memory beta,
            uint256[2][2] memory gamma,
            uint256[2][2] memory delta,
            uint256[2][2] memory ic
        )
    {
        alpha = [ALPHA_X, ALPHA_Y];
        beta = [[NEG_BETA_X1, NEG_BETA_X0], [_negate(NEG_BETA_Y1), _negate(NEG_BETA_Y0)]];
        gamma = [[NEG_GAMMA_X1, NEG_GAMMA_X0], [_negate(NEG_GAMMA_Y1), _negate(NEG_GAMMA_Y0)]];
        delta = [[NEG_DELTA_X1, NEG_DELTA_X0], [_negate(NEG_DELTA_Y1), _negate(NEG_DELTA_Y0)]];
        ic = [[IC0_X, IC0_Y], [IC1_X, IC1_Y]];
    }

    function _negate(uint256 y) private pure returns (uint256) {
        return y == 0 ? 0 : Q - y;
    }

    function _isZero(uint256[2][2] memory g2) private pure returns (bool) {
        return (g2[0][0] | g2[0][1] | g2[1][0] | g2[1][1]) == 0;
    }

    function _onG1(uint256 x, uint256 y) private pure returns (bool) {
        return x < Q && y < Q && mulmod(y, y, Q) == addmod(mulmod(x, mulmod(x, x, Q), Q), 3, Q);
    }

    /// Pairs each G2 point with G1 generator and its negation; the precompile fails unless every G2
    /// point has coordinates below q, lies on the twist and is in the order-r subgroup.
    function _checkG2(uint256[2][2] memory beta, uint256[2][2] memory gamma, uint256[2][2] memory delta)
        private
        view
    {
        uint256[36] memory input;
        uint256[2][2][3] memory points = [beta, gamma, delta];
        for (uint256 i = 0; i < 3; i++) {
            for (uint256 j = 0; j < 2; j++) {
                uint256 at = 12 * i + 6 * j;
                input[at] = 1;
                input[at + 1] = j == 0 ? 2 : Q - 2;
                input[at + 2] = points[i][0][0];
                input[at + 3] = points[i][0][1];
                input[at + 4] = points[i][1][0];
                input[at + 5] = points[i][1][1];
            }
        }
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, input, 0x480, input, 0x20)
            ok := and(ok, mload(input))
        }
        if (!ok) revert InvalidVerifyingKey();
    }
}
