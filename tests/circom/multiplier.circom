pragma circom 2.0.0;

// c = a·b with a public input a and a public output c; d = c·c + b keeps a private wire in C.
template Multiplier() {
    signal input a;
    signal input b;
    signal output c;
    signal d;
    c <== a * b;
    d <== c * c + b;
}

component main {public [a]} = Multiplier();
